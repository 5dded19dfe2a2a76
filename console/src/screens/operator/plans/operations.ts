import { graphql } from '../../../gql';

export const PlanFields = graphql(`
  fragment OperatorPlan on Plan {
    id
    code
    name
    description
    kind
    status
    visibility
    overflowPolicy
    timeZone
    usageCurrency
    warnThresholds
    graceNanos
    gracePercent
    degradeMap
    grantedOrganizationIds
    dailyLimits {
      id
      metric
      currency
      model
      limitValue
    }
  }
`);

export const PlansDocument = graphql(`
  query OperatorPlans($status: PlanStatus) {
    plans(status: $status) {
      ...OperatorPlan
    }
    organizations(first: 200) {
      edges {
        node {
          id
          name
          slug
        }
      }
    }
  }
`);

export const CreatePlanDocument = graphql(`
  mutation OperatorCreatePlan($input: CreatePlanInput!) {
    createPlan(input: $input) {
      ...OperatorPlan
    }
  }
`);

export const UpdatePlanDocument = graphql(`
  mutation OperatorUpdatePlan($id: ID!, $input: UpdatePlanInput!) {
    updatePlan(id: $id, input: $input) {
      ...OperatorPlan
    }
  }
`);

export const GrantPlanDocument = graphql(`
  mutation OperatorGrantPlan($organizationId: ID!, $planId: ID!) {
    grantPlan(organizationId: $organizationId, planId: $planId) {
      id
      grantedOrganizationIds
    }
  }
`);

export const RevokePlanGrantDocument = graphql(`
  mutation OperatorRevokePlanGrant($organizationId: ID!, $planId: ID!) {
    revokePlanGrant(organizationId: $organizationId, planId: $planId) {
      id
      grantedOrganizationIds
    }
  }
`);

export const PlanAssignmentsDocument = graphql(`
  query OperatorPlanAssignments($organizationId: ID!) {
    planAssignments(organizationId: $organizationId) {
      ...PlanAssignmentFields
    }
  }
`);

export const AssignPlanDocument = graphql(`
  mutation OperatorAssignPlan($input: AssignPlanInput!) {
    assignPlan(input: $input) {
      id
    }
  }
`);

export const UpdatePlanAssignmentDocument = graphql(`
  mutation OperatorUpdatePlanAssignment($id: ID!, $effectiveFrom: DateTime, $effectiveTo: DateTime) {
    updatePlanAssignment(id: $id, effectiveFrom: $effectiveFrom, effectiveTo: $effectiveTo) {
      id
      effectiveTo
    }
  }
`);

export const DeletePlanAssignmentDocument = graphql(`
  mutation OperatorDeletePlanAssignment($id: ID!) {
    deletePlanAssignment(id: $id)
  }
`);
