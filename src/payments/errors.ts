import { AppError } from '../lib/errors.ts';

export class RefundExceedsRemainingError extends AppError {
  constructor(requestedMinor: bigint, remainingMinor: bigint) {
    super(
      'REFUND_EXCEEDS_REMAINING',
      `Refund of ${requestedMinor} exceeds what remains refundable on the payment (${remainingMinor})`,
      {
        status: 400,
        details: { requestedMinor: String(requestedMinor), remainingMinor: String(remainingMinor) },
      },
    );
  }
}

export class RefundExceedsUnspentBalanceError extends AppError {
  constructor() {
    super(
      'REFUND_EXCEEDS_UNSPENT_BALANCE',
      'Refund exceeds the unspent balance of the wallet (credit already spent); set REFUND_SPENT_CREDIT_POLICY=allow_negative to allow it',
      { status: 409 },
    );
  }
}

export class PaymentNotRefundableError extends AppError {
  constructor(status: string) {
    super('PAYMENT_NOT_REFUNDABLE', `Only succeeded payments can be refunded (payment is ${status})`, {
      status: 409,
    });
  }
}
