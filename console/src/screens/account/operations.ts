import { graphql } from '../../gql';

export const SessionsDocument = graphql(`
  query Sessions {
    sessions { id createdAt lastSeenAt expiresAt userAgent current }
  }
`);

export const RevokeSessionDocument = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export const StartTotpEnrollmentDocument = graphql(`
  mutation StartTotpEnrollment {
    startTotpEnrollment { secret qrCode otpauthUrl }
  }
`);

export const ConfirmTotpEnrollmentDocument = graphql(`
  mutation ConfirmTotpEnrollment($code: String!) {
    confirmTotpEnrollment(code: $code)
  }
`);

export const DisableTotpDocument = graphql(`
  mutation DisableTotp($code: String!) {
    disableTotp(code: $code)
  }
`);
