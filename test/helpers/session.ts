/**
 * Signs in over HTTP as a browser would and returns what a browser would then send: the Cookie
 * header value (both cookies) and the CSRF token for X-Tollgate-CSRF. Throws with the GraphQL
 * errors when sign-in fails.
 */
export async function signInOverHttp(
  baseUrl: string,
  email: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($input: SignInInput!) { signIn(input: $input) { totpRequired viewer { kind } } }',
      variables: { input: { email, password } },
    }),
  });
  const body = (await res.json()) as { data?: { signIn?: { viewer: unknown } }; errors?: unknown[] };
  if (!body.data?.signIn?.viewer) throw new Error(`sign-in failed: ${JSON.stringify(body.errors ?? body)}`);
  const pairs = res.headers.getSetCookie().map((line) => line.split(';', 1)[0]!);
  const csrf = pairs.find((p) => p.startsWith('tollgate_csrf='))?.slice('tollgate_csrf='.length);
  if (!csrf) throw new Error('sign-in set no tollgate_csrf cookie');
  return { cookie: pairs.join('; '), csrf };
}
