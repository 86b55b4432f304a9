/**
 * The article a message puts before a status word: "An approved reward", "A paid reward".
 * Status words are plain English words, so their first letter decides.
 */
export function article(word: string): 'A' | 'An' {
  return /^[aeiou]/i.test(word) ? 'An' : 'A';
}
