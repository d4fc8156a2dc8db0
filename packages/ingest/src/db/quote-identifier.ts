import { ConfigError } from '@campaign-ml/core';

/** A safely double-quoted SQL identifier (works in SQLite and PostgreSQL): "a""b". */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('INVALID_IDENTIFIER', 'a table or column name must be a non-empty string', { value: name });
  if (name.includes('\u0000'))
    throw new ConfigError('INVALID_IDENTIFIER', `name ${JSON.stringify(name)} contains a NUL character`, {
      value: name,
    });
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`, or just `"table"`. A dot inside `table` is part of the name, not a schema. */
export function qualifiedName(table: string, schema?: string): string {
  return schema ? `${quoteIdentifier(schema)}.${quoteIdentifier(table)}` : quoteIdentifier(table);
}
