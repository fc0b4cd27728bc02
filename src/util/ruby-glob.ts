// One path segment of a Ruby Dir.glob / File.fnmatch pattern as a RegExp: `*` and `?` within the
// segment, `[...]` classes (`!` or `^` negates), `{a,b}` alternatives, `\x` escapes. Used by the config
// loader (-f globs) and the file input (paths and exclude).
export function globSegmentRegExp(segment: string, options: { hideDotFiles?: boolean } = {}): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '\\' && i + 1 < segment.length) re += `\\${segment[++i]!}`;
    else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  // Wildcards never match a leading dot (Ruby's default, no File::FNM_DOTMATCH).
  const dot = options.hideDotFiles && !segment.startsWith('.') ? '(?!\\.)' : '';
  return new RegExp(`^${dot}${re}$`);
}
