// The csv filter's options (logstash-filter-csv 3.1: lib/logstash/filters/csv.rb, docs/index.asciidoc).
import { defineFilter, type OptionsFor } from '../../define.ts';
import { arr, bool, hash, str } from '../../schemas/dsl.ts';

export const csvSchema = defineFilter('csv', 'Parse comma-separated values', {
  source: str('message'),
  target: str(),
  columns: arr([]),
  separator: str(','),
  quote_char: str('"'),
  autodetect_column_names: bool(false),
  autogenerate_column_names: bool(true),
  skip_empty_columns: bool(false),
  skip_empty_rows: bool(false),
  skip_header: bool(false),
  convert: hash({}),
});

export type CsvFilterOptions = OptionsFor<typeof csvSchema>;
