// pdf builds a PDF of page images: each canvas becomes one A4 page holding a JPEG. The browser draws the
// report (any script, Cyrillic included, with its own fonts), so no font or PDF library has to be shipped;
// the text stays readable in the HTML report, which is the accessible form.
export function canvasesToPDF(canvases, title) {
  const enc = new TextEncoder();
  const parts = [];
  const offsets = [];
  let size = 0;
  const put = (x) => { const b = typeof x === 'string' ? enc.encode(x) : x; parts.push(b); size += b.length; };
  const obj = (n, body) => { offsets[n] = size; put(n + ' 0 obj\n'); for (const b of body) put(b); put('\nendobj\n'); };
  const W = 595.28, H = 841.89; // A4 in points
  const n = canvases.length;
  put('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  obj(1, ['<< /Type /Catalog /Pages 2 0 R >>']);
  const kids = canvases.map((_, i) => (4 + 3 * i) + ' 0 R').join(' ');
  obj(2, ['<< /Type /Pages /Kids [' + kids + '] /Count ' + n + ' >>']);
  obj(3, ['<< /Title (' + pdfString(title) + ') /Producer (CXM console) >>']);
  canvases.forEach((c, i) => {
    const page = 4 + 3 * i, img = page + 1, content = page + 2;
    const jpeg = dataURLBytes(c.toDataURL('image/jpeg', 0.88));
    obj(page, ['<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ' + W + ' ' + H + '] /Resources << /XObject << /Im0 ' + img + ' 0 R >> >> /Contents ' + content + ' 0 R >>']);
    obj(img, ['<< /Type /XObject /Subtype /Image /Width ' + c.width + ' /Height ' + c.height +
      ' /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ' + jpeg.length + ' >>\nstream\n', jpeg, '\nendstream']);
    const draw = 'q ' + W + ' 0 0 ' + H + ' 0 0 cm /Im0 Do Q';
    obj(content, ['<< /Length ' + draw.length + ' >>\nstream\n' + draw + '\nendstream']);
  });
  const total = 4 + 3 * n;
  const xref = size;
  put('xref\n0 ' + total + '\n0000000000 65535 f \n');
  for (let i = 1; i < total; i++) put(String(offsets[i]).padStart(10, '0') + ' 00000 n \n');
  put('trailer\n<< /Size ' + total + ' /Root 1 0 R /Info 3 0 R >>\nstartxref\n' + xref + '\n%%EOF\n');
  return new Blob(parts, {type: 'application/pdf'});
}

function dataURLBytes(url) {
  const bin = atob(url.slice(url.indexOf(',') + 1));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// pdfString keeps the title to printable ASCII: the document's text is in the page images.
function pdfString(s) {
  return s.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, '\\$&');
}
