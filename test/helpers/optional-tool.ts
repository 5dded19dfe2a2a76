/**
 * A test that needs a tool from outside npm (the real LiteLLM from PyPI, …) may skip on a developer's
 * machine that cannot get it, saying why; in CI (`CI=true`, as .ci/run and every CI service set it)
 * it must run or fail, never skip silently. Returns whether to skip; throws in CI.
 */
export function skipWithoutTool(
  test: string,
  unavailable: string | null,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (unavailable === null) return false;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  if (ci) throw new Error(`${test} cannot be skipped in CI (CI=${env.CI}): ${unavailable}`);
  console.warn(`${test} skipped: ${unavailable}`);
  return true;
}
