/**
 * Splits a migration into its statements for a file that runs outside a transaction: PostgreSQL runs a string of
 * several statements as one implicit transaction, which `CREATE INDEX CONCURRENTLY` refuses. Semicolons inside
 * quotes, dollar-quoted bodies and comments do not split; statements holding only comments are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const end = (to: number) => {
    if (hasCode) statements.push(sql.slice(start, to).trim());
    start = to + 1;
    hasCode = false;
  };
  while (i < sql.length) {
    if (sql.startsWith('--', i)) {
      const newline = sql.indexOf('\n', i);
      i = newline === -1 ? sql.length : newline + 1;
    } else if (sql.startsWith('/*', i)) {
      i = skipBlockComment(sql, i);
    } else if (sql[i] === "'" || sql[i] === '"') {
      hasCode = true;
      i = skipQuoted(sql, i, sql[i], sql[i] === "'" && /[eE]/.test(sql[i - 1] ?? ''));
    } else if (sql[i] === '$' && dollarTag(sql, i) && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      hasCode = true;
      const tag = dollarTag(sql, i) ?? '';
      const close = sql.indexOf(tag, i + tag.length);
      i = close === -1 ? sql.length : close + tag.length;
    } else if (sql[i] === ';') {
      end(i);
      i += 1;
    } else {
      if (!/\s/.test(sql[i])) hasCode = true;
      i += 1;
    }
  }
  end(sql.length);
  return statements;
}

/** The `$tag$` opening a dollar-quoted string at `at`, if one does. */
function dollarTag(sql: string, at: number): string | undefined {
  const tag = /\$[A-Za-z_]*\$/y;
  tag.lastIndex = at;
  return tag.exec(sql)?.[0];
}

function skipBlockComment(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return i;
}

/** Past the closing quote; a doubled quote is a quote, and in an E'' string so is a backslash-escaped one. */
function skipQuoted(sql: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i += 1;
  }
  return i;
}
