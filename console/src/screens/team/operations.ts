import { graphql } from '../../gql';

/**
 * One request for the screen, cheap against the gateway's cost limits (connections cost their page
 * size times their nodes; each caller has a budget per minute, and the screen refetches after each
 * change): 50 members and 10 teams of up to 10 members shown, about 335.
 */
export const TeamOrganizationQuery = graphql(`
  query TeamOrganization($id: ID!) {
    organization(id: $id) {
      id
      memberships(first: 50) {
        edges {
          node {
            id
            role
            createdAt
            user { id email name }
          }
        }
      }
      teams(first: 10) {
        edges {
          node {
            id
            name
            members(first: 10) {
              edges { node { id user { id email } } }
            }
          }
        }
      }
    }
  }
`);

export const CreateMemberMutation = graphql(`
  mutation CreateMember($input: CreateUserInput!) {
    createUser(input: $input) { id email }
  }
`);

export const UpdateMembershipMutation = graphql(`
  mutation UpdateMembership($input: MembershipInput!) {
    updateMembership(input: $input) { id role }
  }
`);

export const RemoveMemberMutation = graphql(`
  mutation RemoveMember($input: RemoveMemberInput!) {
    removeMember(input: $input)
  }
`);

export const CreateTeamMutation = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) { id name }
  }
`);

export const UpdateTeamMutation = graphql(`
  mutation RenameTeam($input: UpdateTeamInput!) {
    updateTeam(input: $input) { id name }
  }
`);

export const DeleteTeamMutation = graphql(`
  mutation DeleteTeam($id: ID!) {
    deleteTeam(id: $id) { id }
  }
`);

export const AddTeamMemberMutation = graphql(`
  mutation AddTeamMember($input: TeamMemberInput!) {
    addTeamMember(input: $input) { id }
  }
`);

export const RemoveTeamMemberMutation = graphql(`
  mutation RemoveTeamMember($input: TeamMemberInput!) {
    removeTeamMember(input: $input) { id }
  }
`);

export const NotificationSettingsQuery = graphql(`
  query NotificationSettings($organizationId: String!) {
    riskSettings(scopeType: ORGANIZATION, scopeId: $organizationId) { settings }
  }
`);

export const UpdateNotificationSettingsMutation = graphql(`
  mutation UpdateNotificationSettings($organizationId: ID!, $input: NotificationSettingsInput!) {
    updateNotificationSettings(organizationId: $organizationId, input: $input)
  }
`);

export const WebhookEndpointsQuery = graphql(`
  query WebhookEndpoints($organizationId: ID!) {
    webhookEndpoints(organizationId: $organizationId) {
      id
      url
      status
      eventTypes
      createdAt
    }
  }
`);

export const CreateWebhookEndpointMutation = graphql(`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      secret
      endpoint { id url }
    }
  }
`);

export const UpdateWebhookEndpointMutation = graphql(`
  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(id: $id, input: $input) { id url status eventTypes }
  }
`);

export const RotateWebhookSecretMutation = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      secret
      previousSecretExpiresAt
      endpoint { id }
    }
  }
`);

export const DeleteWebhookEndpointMutation = graphql(`
  mutation DeleteWebhookEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id)
  }
`);

export const WebhookDeliveriesQuery = graphql(`
  query WebhookDeliveries($endpointId: ID!) {
    webhookDeliveries(endpointId: $endpointId, first: 25) {
      edges {
        node {
          id
          eventId
          eventType
          status
          attempts
          lastError
          createdAt
          deliveredAt
          nextAttemptAt
        }
      }
    }
  }
`);

export const ReplayWebhookDeliveryMutation = graphql(`
  mutation ReplayWebhookDelivery($id: ID!) {
    replayWebhookDelivery(id: $id) { id status attempts nextAttemptAt }
  }
`);
