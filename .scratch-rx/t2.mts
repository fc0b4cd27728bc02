import { scanPattern } from '/work/main/src/regexp/pattern-scan.ts';
const s = scanPattern('\\Z'); console.log(s);
const re = new RegExp(s.js!.source, 'gud'); re.lastIndex = 0; console.log(re.exec('😀'));
const re2 = new RegExp('(?![\\s\\S])', 'gu'); re2.lastIndex = 0; console.log(re2.exec('😀')?.index);
const re3 = new RegExp('(?![\\s\\S])', 'u'); console.log(re3.exec('😀')?.index, /(?![\s\S])/u.exec('😀')?.index, /$/u.exec('😀')?.index);
