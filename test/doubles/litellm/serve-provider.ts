/**
 * The data-plane double as a standalone OpenAI-compatible provider, for scripts/readme-walkthrough.sh:
 * the README's real LiteLLM forwards to it. Serves every model, requires OPENAI_API_KEY as its bearer,
 * prints its base URL (…/v1) on stdout and runs until killed.
 */
import { startDataPlaneDouble } from '../../../testkit/doubles/litellm-data-plane.ts';

const key = process.env.OPENAI_API_KEY;
if (!key) throw new Error('serve-provider: set OPENAI_API_KEY (the key LiteLLM will present)');
const provider = await startDataPlaneDouble({ masterKey: key, models: [], record: false });
process.stdout.write(`${provider.url}/v1\n`);
