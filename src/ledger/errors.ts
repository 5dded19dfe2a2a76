import { AppError } from '../lib/errors.ts';

export { IdempotencyConflictError } from '../lib/errors.ts';
export { InvalidAmountError, UnsupportedCurrencyError } from '../lib/money.ts';

/** The wallet cannot cover the amount: 402, and `insufficient_quota` on the OpenAI-shaped proxy path. */
export class InsufficientFundsError extends AppError {
  constructor(details: {
    walletId: string;
    requestedNanos: bigint;
    availableNanos: bigint;
    creditLimitNanos?: bigint;
  }) {
    super('INSUFFICIENT_FUNDS', 'Insufficient funds in the wallet for this request', {
      status: 402,
      type: 'insufficient_quota',
      details: {
        walletId: details.walletId,
        requestedNanos: details.requestedNanos.toString(),
        availableNanos: details.availableNanos.toString(),
        ...(details.creditLimitNanos !== undefined
          ? { creditLimitNanos: details.creditLimitNanos.toString() }
          : {}),
      },
    });
  }
}

export class WalletNotFoundError extends AppError {
  constructor(walletId: string) {
    super('WALLET_NOT_FOUND', `Wallet '${walletId}' not found`, { status: 404, details: { walletId } });
  }
}

export class WalletNotActiveError extends AppError {
  constructor(walletId: string, status: string) {
    super('WALLET_NOT_ACTIVE', `Wallet '${walletId}' is ${status}`, {
      status: 403,
      type: 'permission_error',
      details: { walletId, status },
    });
  }
}

export class HoldNotFoundError extends AppError {
  constructor(holdId: string) {
    super('HOLD_NOT_FOUND', `Hold '${holdId}' not found`, { status: 404, details: { holdId } });
  }
}

export class HoldAlreadyFinalizedError extends AppError {
  constructor(holdId: string, status: string) {
    super('HOLD_ALREADY_FINALIZED', `Hold '${holdId}' is already ${status}`, {
      status: 409,
      details: { holdId, status },
    });
  }
}

export class TransactionNotFoundError extends AppError {
  constructor(transactionId: string) {
    super('TRANSACTION_NOT_FOUND', `Ledger transaction '${transactionId}' not found`, {
      status: 404,
      details: { transactionId },
    });
  }
}

export class AlreadyReversedError extends AppError {
  constructor(transactionId: string, reversalId: string) {
    super('ALREADY_REVERSED', `Ledger transaction '${transactionId}' was already reversed`, {
      status: 409,
      details: { transactionId, reversalId },
    });
  }
}
