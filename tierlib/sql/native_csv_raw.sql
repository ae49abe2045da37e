-- Native path, CSV: append one UTF-8 text file to `_np_raw` as text cells, in file order (rowid).
-- {columns} is the struct of column names c0, c1, ... (all VARCHAR) built by tierlib/native.py;
-- the file, the lines to skip (title rows and the header) and the delimiter are bound parameters.
INSERT INTO _np_raw
SELECT $file_index AS _f, *
FROM read_csv($path, auto_detect = false, header = false, skip = $skip, delim = $delim,
              quote = '"', escape = '"', columns = {columns}, null_padding = true,
              encoding = 'utf-8', max_line_size = 33554432)
