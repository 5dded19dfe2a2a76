/** The LiteLLM data-plane double in its own process for benchmarks. Options as JSON in argv[2]; prints `PORT <n>`. */
import { startDataPlaneDouble } from '../../testkit/doubles/litellm-data-plane.ts';

const double = await startDataPlaneDouble({ ...JSON.parse(process.argv[2] ?? '{}'), record: false });
process.stdout.write(`PORT ${new URL(double.url).port}\n`);
process.on('SIGTERM', () => void double.close().then(() => process.exit(0)));
