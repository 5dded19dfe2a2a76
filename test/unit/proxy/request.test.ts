import { describe, expect, it } from 'vitest';
import { parseProxyBody, requestInfo, upstreamBody } from '../../../src/proxy/request.ts';

const admitted = {
  model: 'm',
  userId: 'user_1',
  upstreamCredential: 'sk',
  responseHeaders: {},
  ticket: null,
};
const ctx = { requestId: 'r', credential: null, defaultMaxTokens: 4096 };
const parse = (endpoint: string, body: object) => parseProxyBody(endpoint, Buffer.from(JSON.stringify(body)));
const sent = (endpoint: string, body: object) => {
  const parsed = parse(endpoint, body);
  const info = requestInfo(endpoint, parsed, ctx);
  return { info, out: JSON.parse(upstreamBody(endpoint, parsed, admitted).body.toString('utf8')) };
};

describe('what the hold covers and what goes upstream', () => {
  it('caps the output upstream when the client set no limit, so the hold bounds the cost', () => {
    expect(sent('/v1/chat/completions', { model: 'x', messages: [] }).out.max_tokens).toBe(4096);
    expect(sent('/v1/responses', { model: 'x', input: 'hi' }).out.max_output_tokens).toBe(4096);
    expect(sent('/v1/embeddings', { model: 'x', input: 'hi' }).out.max_tokens).toBeUndefined();
    expect(sent('/v1/chat/completions', { model: 'x', messages: [], max_tokens: 7 }).out.max_tokens).toBe(7);
  });

  it('covers the largest of several max-token fields and every requested choice', () => {
    const a = sent('/v1/chat/completions', {
      model: 'x',
      messages: [],
      max_tokens: 1,
      max_completion_tokens: 500,
    });
    expect(a.info.maxTokensForEstimate).toBe(500);
    const b = sent('/v1/chat/completions', { model: 'x', messages: [], max_tokens: 100, n: 8 });
    expect(b.info.maxTokensForEstimate).toBe(800);
    expect(() => parse('/v1/chat/completions', { model: 'x', n: 0 })).toThrow(/n must be an integer/);
  });

  it('counts a file given by id at the configured reference size', () => {
    const body = {
      model: 'x',
      messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }],
    };
    const parsed = parse('/v1/chat/completions', body);
    expect(
      requestInfo('/v1/chat/completions', parsed, { ...ctx, fileReferenceTokens: 9_000 })
        .promptTokensEstimate,
    ).toBe(9_004);
  });

  it('counts tool schemas as prompt', () => {
    const plain = sent('/v1/chat/completions', { model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    const tools = sent('/v1/chat/completions', {
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { description: 'y'.repeat(4000) } } }],
    });
    expect(tools.info.promptTokensEstimate - plain.info.promptTokensEstimate).toBeGreaterThan(1000);
  });
});
