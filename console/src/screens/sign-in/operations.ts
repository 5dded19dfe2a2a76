import { graphql } from '../../gql';

// Sets the session cookie and the readable CSRF cookie; `viewer` is null while a TOTP code is still needed.
export const SignInDocument = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      totpRequired
      viewer { kind }
    }
  }
`);

export const SignOutDocument = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const SelectOrganizationDocument = graphql(`
  mutation SelectOrganization($organizationId: ID!) {
    selectOrganization(organizationId: $organizationId) { organization { id } }
  }
`);
