# Run by the config init container of every cxm pod (the image's awk, no shell):
#   awk -v ingest=FILE -v api=FILE -v out=FILE -f merge-tokens.awk cxm.yaml
# It copies the rendered cxm config to out, replacing the token placeholders the chart put in it with the
# JSON lists read from the Secret's files (JSON is YAML flow syntax; a missing or blank file means no
# tokens). Token hashes thus stay out of the ConfigMap. Checked by deploy/helm_test.go, which runs this file
# on a rendered config and loads the result with cxm's own config loader.

function slurp(f,   s, line) {
  s = ""
  # getline returns -1 for a missing file (an optional Secret key): no tokens.
  while ((getline line < f) > 0) s = s " " line
  close(f)
  if (s ~ /^[ \t\r]*$/) s = "[]"
  return s
}

# splice replaces the first occurrence of marker in line by value, literally (sub() would treat & and \ in
# the value specially).
function splice(line, marker, value,   i) {
  i = index(line, marker)
  if (i == 0) return line
  return substr(line, 1, i - 1) value substr(line, i + length(marker))
}

function fill(line, name, value) {
  line = splice(line, "'@@" name "@@'", value)
  line = splice(line, "\"@@" name "@@\"", value)
  return splice(line, "@@" name "@@", value)
}

BEGIN {
  if (out == "") out = "/run/cxm/cxm.yaml"
  it = slurp(ingest)
  at = slurp(api)
}

{
  line = fill($0, "CXM_INGEST_TOKENS", it)
  print fill(line, "CXM_API_TOKENS", at) > out
}

END { close(out) }
