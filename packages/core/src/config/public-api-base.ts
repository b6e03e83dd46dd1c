// An api_base fit for metric labels and events: credentials, query string and fragment removed.

export function publicApiBase(apiBase: string): string {
  try {
    const url = new URL(apiBase);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '';
  }
}
