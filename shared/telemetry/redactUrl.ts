/**
 * A URL fit for telemetry: no user info, no fragment, and query values replaced, because
 * webhook URLs often carry secrets (`?code=...`, SAS signatures). Parameter names stay so the
 * shape of the URL is still visible.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[invalid url]';
  }
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  const names = [...parsed.searchParams.keys()];
  parsed.search = '';
  const query = names.map((name) => `${encodeURIComponent(name)}=REDACTED`).join('&');
  return query ? `${parsed.toString()}?${query}` : parsed.toString();
}
