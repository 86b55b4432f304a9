/**
 * Spreadsheet formula injection (OWASP "CSV injection"): a text cell starting with = + - @,
 * a tab or a carriage return is prefixed with a single quote, which spreadsheets show as text.
 * For text cells only: numbers Tandem writes (a clawback's -12.50, an ROI of -0.5) stay numbers.
 */
export function escapeFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
