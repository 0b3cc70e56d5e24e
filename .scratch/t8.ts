import { parseDocument } from 'yaml';
const tries: Record<string,string> = {
  spacing: 'a:   1     #  c\nb: [ x ,y ]\n',
  blank2: 'a: 1\n\n\nb: 2\n',
  wsline: 'a: 1\n   \nb: 2\n',
  commentIndent: 'a:\n  x: 1\n      # deep\n  y: 2\n',
  hashNoSpace: 'a: 1 #c\n#c2\n',
  flowmap: 'p: {a: 1,   b: 2}\n',
  quoted: "a: 'x'\nb: \"y\"\n",
  trailing: 'a: 1   \n',
  docstart: '---\na: 1\n',
  noEOL: 'a: 1',
  blankEnd: 'a: 1\n\n\n',
  multiline: 'a: >\n  long\n  text\nb: 1\n',
  longline: 'a: [' + Array.from({length: 40}, (_, i) => 'item' + i).join(', ') + ']\n',
  seqIndent: 'a:\n- x\n- y\n',
  crlf: 'a: 1\r\nb: 2\r\n',
};
for (const [k, t] of Object.entries(tries)) {
  const out = parseDocument(t).toString({ lineWidth: 0, flowCollectionPadding: false });
  console.log(k, t.split('\n').length === out.split('\n').length ? 'same' : 'DIFF', JSON.stringify(out));
}
