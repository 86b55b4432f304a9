/** Small self-contained pages for the public redirect (no scripts, no external assets). */
const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">` +
  `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
  `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:20vh auto;padding:0 1rem;color:#222}</style>` +
  `</head><body><h1>${title}</h1><p>${text}</p></body></html>`;

export const NOT_FOUND_PAGE = page(
  'Link not found',
  'This referral link does not exist or is no longer available. Check the link you were sent, or ask the person who shared it for a new one.',
);

export const UNAVAILABLE_PAGE = page(
  'Please try again',
  'We could not open this referral link just now. Please try again in a moment.',
);
