import { splitStatements } from './sql-statements';

describe('splitStatements', () => {
  it('splits on semicolons outside quotes, dollar quotes and comments, and drops comment-only tails', () => {
    const sql = [
      "-- a comment; still a comment\nselect 'a;b', \"odd;name\" from t;",
      'create function f() returns int language plpgsql as $body$ begin perform 1; return 1; end $body$;',
      "/* outer /* nested; */ still; */ select E'it\\'s;';",
      'select $$;$$;',
      '-- the end;',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      "-- a comment; still a comment\nselect 'a;b', \"odd;name\" from t",
      'create function f() returns int language plpgsql as $body$ begin perform 1; return 1; end $body$',
      "/* outer /* nested; */ still; */ select E'it\\'s;'",
      'select $$;$$',
    ]);
  });

  it('takes a doubled quote for a quote, and a $ inside a name for no dollar quote', () => {
    expect(splitStatements("select 'it''s;'; select a$1; select 2")).toEqual(["select 'it''s;'", 'select a$1', 'select 2']);
  });
});
