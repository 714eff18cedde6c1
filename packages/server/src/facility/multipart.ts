/**
 * The first file part of a multipart/form-data body. Enough for a single certificate upload
 * (a few KB) without adding a multipart dependency.
 */
export function firstMultipartFile(body: Buffer, contentType: string): Buffer | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const delim = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delim);
  while (start >= 0) {
    const headerStart = start + delim.length + 2;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd < 0) return undefined;
    const next = body.indexOf(delim, headerEnd);
    if (next < 0) return undefined;
    const headers = body.subarray(headerStart, headerEnd).toString('latin1');
    // The part's content ends with the CRLF that precedes the next delimiter.
    if (/filename=/i.test(headers)) return body.subarray(headerEnd + 4, next - 2);
    start = next;
  }
  return undefined;
}
