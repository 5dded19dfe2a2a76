import { AppError } from '../lib/errors.ts';

/** No price rule matches the model in the currency at the request's time: the gateway refuses to serve it unpriced. */
export class ModelNotPricedError extends AppError {
  constructor(model: string, currency: string, at: Date) {
    super('MODEL_NOT_PRICED', `Model '${model}' has no price in ${currency}; it cannot be used`, {
      status: 400,
      type: 'invalid_request_error',
      param: 'model',
      details: { model, currency, at: at.toISOString() },
    });
  }
}
