// Runs the SQL statements of a file through DuckDB (@duckdb/node-api, installed next to this file
// by tools/install-deps.sh) and prints the rows of the last statement as JSON Lines.
// usage: node tools/duckdb-run.mjs FILE.sql
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

if (process.argv.length !== 3) {
  console.error('usage: node duckdb-run.mjs FILE.sql');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(readFileSync(process.argv[2], 'utf8'));
for (const row of reader.getRowObjectsJson()) console.log(JSON.stringify(row));
