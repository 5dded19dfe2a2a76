import { describe, expect, it } from 'vitest';
import { normaliseUpstreamError } from '../../../src/proxy/errors.ts';
import { nanosToMajorDecimal as formatNanos } from '../../../src/lib/money.ts';
import { isUsageOnlyChunk } from '../../../src/proxy/usage-scan.ts';
import { upstreamHeaders } from '../../../src/proxy/forwarding.ts';
import { parseProxyBody, upstreamBody } from '../../../src/proxy/request.ts';
import { normaliseUsage, promptEstimate } from '../../../src/proxy/usage.ts';

describe('formatNanos', () => {
  it('prints nanos as exact major-unit decimals', () => {
    expect(formatNanos(0n)).toBe('0');
    expect(formatNanos(1n)).toBe('0.000000001');
    expect(formatNanos(1_500_000_000n)).toBe('1.5');
    expect(formatNanos(-18_000n)).toBe('-0.000018');
    expect(formatNanos(123_456_789_012_345_678_901n)).toBe('123456789012.345678901');
  });
});

describe('normaliseUsage', () => {
  it('reads chat, Responses API and embeddings usage', () => {
    expect(
      normaliseUsage({
        prompt_tokens: 5,
        completion_tokens: 2,
        total_tokens: 7,
        prompt_tokens_details: { cached_tokens: 1 },
      }),
    ).toEqual({
      promptTokens: 5,
      completionTokens: 2,
      cachedTokens: 1,
      totalTokens: 7,
    });
    expect(
      normaliseUsage({
        input_tokens: 5,
        output_tokens: 2,
        input_tokens_details: { cached_tokens: 4 },
        total_tokens: 7,
      }),
    ).toEqual({
      promptTokens: 5,
      completionTokens: 2,
      cachedTokens: 4,
      totalTokens: 7,
    });
    expect(normaliseUsage({ prompt_tokens: 9, total_tokens: 9 })).toEqual({
      promptTokens: 9,
      completionTokens: 0,
      cachedTokens: 0,
      totalTokens: 9,
    });
    expect(normaliseUsage({ prompt_tokens: -1 })).toBeNull();
    expect(normaliseUsage(null)).toBeNull();
  });
});

describe('usage chunk recognition', () => {
  it('strips only chunks that carry nothing but usage', () => {
    expect(isUsageOnlyChunk({ choices: [] })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [{ index: 0, delta: {} }] })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [{ index: 0, delta: { content: null, role: null } }] })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })).toBe(false);
    expect(isUsageOnlyChunk({ choices: [{ index: 0, delta: { content: 'x' } }] })).toBe(false);
    expect(isUsageOnlyChunk({ choices: [{ index: 0, text: 'x' }] })).toBe(false);
  });
});

describe('request rewriting', () => {
  const admitted = {
    model: 'small',
    userId: 'usr_1',
    upstreamCredential: 'sk-up',
    responseHeaders: {},
    ticket: null,
  };

  it('forces include_usage on chat streams, keeps other stream options, replaces user and model', () => {
    const parsed = parseProxyBody(
      '/v1/chat/completions',
      Buffer.from('{"model":"big","stream":true,"stream_options":{"x":1},"user":"evil"}'),
    );
    const { body, stripUsage } = upstreamBody('/v1/chat/completions', parsed, admitted);
    expect(JSON.parse(body.toString())).toEqual({
      model: 'small',
      stream: true,
      stream_options: { x: 1, include_usage: true },
      user: 'usr_1',
    });
    expect(stripUsage).toBe(true);
    const asked = parseProxyBody(
      '/v1/chat/completions',
      Buffer.from('{"model":"big","stream":true,"stream_options":{"include_usage":true}}'),
    );
    expect(upstreamBody('/v1/chat/completions', asked, admitted).stripUsage).toBe(false);
    const responses = parseProxyBody('/v1/responses', Buffer.from('{"model":"big","stream":true}'));
    expect(
      JSON.parse(upstreamBody('/v1/responses', responses, admitted).body.toString()).stream_options,
    ).toBeUndefined();
  });

  it('forwards only allowlisted client headers: credentials, cookies, hop-by-hop, x-litellm-* and openai-beta are dropped', () => {
    const h = upstreamHeaders(
      {
        authorization: 'Bearer tg-client',
        'x-api-key': 'tg-client',
        cookie: 'a=b',
        connection: 'keep-alive, x-custom-hop',
        'x-custom-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'proxy-authorization': 'x',
        'x-litellm-customer-id': 'evil',
        'x-litellm-api-key': 'sk-evil',
        'openai-beta': 'assistants=v2',
        accept: 'text/event-stream',
      },
      { credential: 'sk-up', userId: 'usr_1', requestId: 'req-1', bodyBytes: 10 },
    );
    expect(h).toEqual({
      accept: 'text/event-stream',
      authorization: 'Bearer sk-up',
      'x-litellm-end-user-id': 'usr_1',
      'x-request-id': 'req-1',
      'accept-encoding': 'identity',
      'content-type': 'application/json',
      'content-length': '10',
    });
  });

  it('counts images at their most expensive tile price (low detail cheaper) and audio by its size', () => {
    const image = (detail?: string) => ({
      type: 'image_url',
      image_url: { url: 'https://example.test/cat.png', ...(detail ? { detail } : {}) },
    });
    expect(
      promptEstimate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'abcd' }, image()] }] })
        .tokens,
    ).toBe(1 + 1_105 + 4);
    expect(promptEstimate({ messages: [{ role: 'user', content: [image('low')] }] }).tokens).toBe(85 + 4);
    expect(
      promptEstimate({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'data:…' }] }] })
        .tokens,
    ).toBe(1_105 + 4);
    // 32,000 base64 characters = 24,000 bytes = 1.5 s at 16,000 B/s = 15 tokens.
    const audio = { type: 'input_audio', input_audio: { data: 'A'.repeat(32_000), format: 'mp3' } };
    expect(promptEstimate({ messages: [{ role: 'user', content: [audio] }] }).tokens).toBe(15 + 4);
  });

  it('estimates prompt tokens from messages, token ids and Responses API input', () => {
    expect(promptEstimate({ messages: [{ role: 'user', content: 'abcdefgh' }] }).tokens).toBe(2 + 4);
    expect(promptEstimate({ prompt: [[1, 2, 3]] }).tokens).toBe(3);
    expect(
      promptEstimate({
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'abcd' }] }],
        instructions: 'abcd',
      }),
    ).toEqual({
      text: 'abcd\nabcd',
      tokens: 3 + 4,
    });
  });
});

describe('normaliseUpstreamError', () => {
  it('adds the request id and wraps FastAPI detail and plain-text bodies', () => {
    expect(
      normaliseUpstreamError(
        429,
        Buffer.from('{"error":{"message":{"k":"v"},"type":"budget_exceeded","param":"None","code":"429"}}'),
        'r1',
      ),
    ).toEqual({
      error: { message: '{"k":"v"}', type: 'budget_exceeded', param: 'None', code: '429' },
      request_id: 'r1',
    });
    expect(
      normaliseUpstreamError(400, Buffer.from('{"detail":[{"loc":["body"],"msg":"bad"}]}'), 'r2'),
    ).toEqual({
      error: {
        message: '[{"loc":["body"],"msg":"bad"}]',
        type: 'invalid_request_error',
        param: null,
        code: '400',
      },
      request_id: 'r2',
    });
    expect(normaliseUpstreamError(503, Buffer.from('Service Unavailable'), 'r3')).toMatchObject({
      error: { message: 'Service Unavailable', type: 'api_error', code: '503' },
    });
  });
});
