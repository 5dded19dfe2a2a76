import { describe, expect, it } from 'vitest';
import { FormParseError, parseStripeForm } from '../../../doubles/stripe/form.ts';

describe("the Stripe double's form decoding", () => {
  it('decodes bracket keys into nested objects and arrays, keeping values as strings', () => {
    expect(
      parseStripeForm(
        'amount=500&currency=usd&automatic_payment_methods[enabled]=true&metadata[order_id]=o%201' +
          '&expand[0]=latest_charge&allowed_payment_method_types[]=card&allowed_payment_method_types[]=alipay' +
          '&line_items[0][price_data][unit_amount]=750&line_items[0][quantity]=2',
      ),
    ).toEqual({
      amount: '500',
      currency: 'usd',
      automatic_payment_methods: { enabled: 'true' },
      metadata: { order_id: 'o 1' },
      expand: ['latest_charge'],
      allowed_payment_method_types: ['card', 'alipay'],
      line_items: [{ price_data: { unit_amount: '750' }, quantity: '2' }],
    });
  });

  it('refuses malformed keys and a scalar used as a hash', () => {
    expect(() => parseStripeForm('a]b=1')).toThrow(FormParseError);
    expect(() => parseStripeForm('metadata=x&metadata[k]=v')).toThrow(FormParseError);
  });
});
