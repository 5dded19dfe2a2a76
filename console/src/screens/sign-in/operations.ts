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

export const AuthSettingsDocument = graphql(`
  query AuthSettings {
    authSettings { signUpOpen }
  }
`);

export const SignUpDocument = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { verificationSent }
  }
`);

export const VerifyEmailDocument = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token)
  }
`);

export const RequestPasswordResetDocument = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

export const ResetPasswordDocument = graphql(`
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password)
  }
`);
