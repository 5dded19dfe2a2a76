import type { Usage } from '../admission/port.ts';
import { countPdfPages } from './pdf-pages.ts';

const count = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;

/**
 * Normalises an upstream `usage` object: chat/completions/embeddings (`prompt_tokens`,
 * `completion_tokens`, `prompt_tokens_details.cached_tokens`) or the Responses API
 * (`input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`). Null when unusable.
 */
export function normaliseUsage(u: unknown): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const o = u as Record<string, any>;
  const responses = o.input_tokens !== undefined || o.output_tokens !== undefined;
  const prompt = count(responses ? o.input_tokens : o.prompt_tokens);
  if (prompt === null) return null;
  const completion = count(responses ? o.output_tokens : o.completion_tokens) ?? 0;
  const details = responses ? o.input_tokens_details : o.prompt_tokens_details;
  const cached = count(details?.cached_tokens) ?? 0;
  const total = count(o.total_tokens) ?? prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, cachedTokens: cached, totalTokens: total };
}

/** The usage of a parsed response body or stream event (Responses API events nest it under `response`). */
export function usageOf(body: any): Usage | null {
  if (!body || typeof body !== 'object') return null;
  return normaliseUsage(body.usage) ?? normaliseUsage(body.response?.usage);
}

/** ~4 characters per token for English text: the usual heuristic when no tokenizer is at hand. */
export const CHARS_PER_TOKEN = 4;
/** OpenAI's chat format adds a few tokens per message (role, separators). */
const TOKENS_PER_MESSAGE = 4;

export function tokensFromChars(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/**
 * An image costs at most 1,105 prompt tokens at OpenAI's tile pricing (`detail: high`, scaled into
 * 2048 px then 768 px on the short side: 6 tiles × 170 + 85), 85 at `detail: low`.
 */
const IMAGE_TOKENS = { low: 85, high: 1_105 };
/**
 * Audio input is billed ~10 tokens a second (gpt-4o audio). The byte rate assumed is that of a
 * 128 kbit/s stream (16,000 bytes/s), lower than WAV's, so the estimate errs high.
 */
const AUDIO_BYTES_PER_TOKEN = 1_600;

/** PROXY_FILE_REFERENCE_TOKENS' default: a file known only by id or URL, taken as ~15 PDF pages. */
export const DEFAULT_FILE_REFERENCE_TOKENS = 32_000;

/**
 * A PDF page is sent to the model as its text and an image of it: the image at most `IMAGE_TOKENS.high`,
 * the text rarely over 1,000 tokens (a dense page of ~750 words).
 */
const PDF_PAGE_TOKENS = IMAGE_TOKENS.high + 1_000;

/** Decoded bytes of a `data:…;base64,` URL or bare base64 string; null when it is neither. */
function base64Bytes(data: string): Buffer | null {
  const comma = data.startsWith('data:') ? data.indexOf(',') : -1;
  if (data.startsWith('data:') && (comma === -1 || !data.slice(0, comma).endsWith(';base64'))) return null;
  return Buffer.from(comma === -1 ? data : data.slice(comma + 1), 'base64');
}

/**
 * Prompt tokens for a file content part (chat `file`, Responses `input_file`). Inline data is read: a
 * PDF by its pages (`countPdfPages`, at least one), any other file as text. A file given only by id
 * or URL cannot be read here and counts `referenceTokens` (PROXY_FILE_REFERENCE_TOKENS).
 */
function filePartTokens(part: Record<string, any>, referenceTokens: number): number {
  const data = part.file?.file_data ?? part.file_data;
  const bytes = typeof data === 'string' ? base64Bytes(data) : null;
  if (!bytes) return referenceTokens;
  const isPdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  if (isPdf) return Math.max(1, countPdfPages(bytes)) * PDF_PAGE_TOKENS;
  return tokensFromChars(bytes.length);
}

/** Prompt tokens for an image, audio or file content part (chat or Responses shapes); 0 for anything else. */
function mediaPartTokens(part: Record<string, any>, fileReferenceTokens: number): number {
  if (part.type === 'file' || part.type === 'input_file') return filePartTokens(part, fileReferenceTokens);
  const type = part.type;
  if (type === 'image_url' || type === 'input_image' || type === 'image') {
    const detail = part.image_url?.detail ?? part.detail;
    return detail === 'low' ? IMAGE_TOKENS.low : IMAGE_TOKENS.high;
  }
  if (type === 'input_audio') {
    const data = part.input_audio?.data ?? part.data;
    if (typeof data !== 'string') return 0;
    return Math.ceil((data.length * 3) / 4 / AUDIO_BYTES_PER_TOKEN);
  }
  return 0;
}

/**
 * Prompt text and a token estimate from a request body of any of the metered endpoints: text at
 * ~4 characters a token, token-id inputs as given, images, audio and files by `mediaPartTokens`.
 */
export function promptEstimate(
  body: any,
  opts: { fileReferenceTokens: number } = { fileReferenceTokens: DEFAULT_FILE_REFERENCE_TOKENS },
): { text: string; tokens: number } {
  const texts: string[] = [];
  let tokenIds = 0;
  let messages = 0;
  let mediaTokens = 0;
  const addContent = (c: unknown) => {
    if (typeof c === 'string') texts.push(c);
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (typeof part === 'string') texts.push(part);
        else if (typeof part === 'number') tokenIds++;
        else if (Array.isArray(part)) tokenIds += part.length;
        else if (part && typeof part === 'object') {
          if (typeof part.text === 'string') texts.push(part.text);
          else if (part.content !== undefined) addContent(part.content);
          else mediaTokens += mediaPartTokens(part, opts.fileReferenceTokens);
        }
      }
    }
  };
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) {
      messages++;
      if (m && typeof m === 'object') {
        addContent(m.content);
        if (Array.isArray(m.tool_calls))
          for (const t of m.tool_calls)
            if (typeof t?.function?.arguments === 'string') texts.push(t.function.arguments);
      }
    }
  }
  if (typeof body.instructions === 'string') texts.push(body.instructions);
  addContent(body.prompt);
  if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        messages++;
        addContent(item.content);
      } else addContent([item]);
    }
  } else addContent(body.input);
  const text = texts.join('\n');
  return {
    text,
    tokens: tokensFromChars(text.length) + tokenIds + mediaTokens + messages * TOKENS_PER_MESSAGE,
  };
}

/** Usage estimated from the prompt estimate and the characters a response delivered. */
export function estimateUsage(promptTokens: number, completionChars: number): Usage {
  const completionTokens = tokensFromChars(completionChars);
  return {
    promptTokens,
    completionTokens,
    cachedTokens: 0,
    totalTokens: promptTokens + completionTokens,
  };
}
