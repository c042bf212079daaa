/**
 * Plain text from a message body (stored HTML): scripts and styles dropped with their content,
 * tags become spaces, the common entities decoded, whitespace collapsed. Used wherever a body is
 * shown without markup: push previews, search snippets.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The same in SQL, for statements that need a body's text (search headlines): tags become spaces. */
export const htmlToTextSql = (column: string) => `regexp_replace(${column}, '<[^>]*>', ' ', 'g')`;
