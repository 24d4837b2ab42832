package dev.atrium.exports;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

/**
 * XLSX through fastexcel. Writing a workbook means XML and deflate (milliseconds per batch), so
 * each batch is written on the export worker pool into an in-memory stream that is emptied
 * after every batch (the pump asks for the next batch only once this one is done, so the tasks
 * of one export never overlap and need no ordering by the executor): memory holds one batch's
 * bytes, whatever the export's length.
 * Cells are inline strings (typed text, never formulas, and no shared-string table that grows
 * with the export); a sheet holds {@link #ROWS_PER_SHEET} rows, then the next one starts.
 */
public final class XlsxFormat implements ExportFormat {
  /** Excel's limit is 1,048,576 rows per sheet. */
  static final int ROWS_PER_SHEET = 1_000_000;

  private final WorkerExecutor workers;
  private final String[] header;
  private final String sheetName;
  private final Function<Row, String[]> fields;
  // Touched only by this export's ordered worker tasks, one at a time.
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
  private Workbook workbook;
  private Worksheet sheet;
  private int sheets;
  private int row;

  public XlsxFormat(WorkerExecutor workers, String sheetName, String[] header, Function<Row, String[]> fields) {
    this.workers = workers;
    this.sheetName = sheetName;
    this.header = header.clone();
    this.fields = fields;
  }

  @Override
  public Buffer head() {
    return Buffer.buffer();
  }

  @Override
  public Future<Buffer> rows(List<Row> rows) {
    // Rows are read on the event loop that owns them; the worker only sees strings.
    List<String[]> cells = new ArrayList<>(rows.size());
    for (Row r : rows) {
      cells.add(fields.apply(r));
    }
    return workers.executeBlocking(() -> {
      for (String[] f : cells) {
        if (sheet == null || row > ROWS_PER_SHEET) {
          nextSheet();
        }
        for (int c = 0; c < f.length; c++) {
          if (f[c] != null) {
            sheet.inlineString(row, c, f[c]);
          }
        }
        row++;
      }
      sheet.flush(); // fastexcel keeps rows until flushed
      return drain();
    }, false);
  }

  @Override
  public Future<Buffer> tail() {
    return workers.executeBlocking(() -> {
      if (sheet == null) {
        nextSheet();
      }
      sheet.finish();
      workbook.finish();
      return drain();
    }, false);
  }

  private void nextSheet() throws IOException {
    if (workbook == null) {
      workbook = new Workbook(out, "Atrium", "1.0");
    }
    if (sheet != null) {
      sheet.finish();
    }
    sheets++;
    sheet = workbook.newWorksheet(sheets == 1 ? sheetName : sheetName + " " + sheets);
    for (int c = 0; c < header.length; c++) {
      sheet.inlineString(0, c, header[c]);
    }
    row = 1;
  }

  private Buffer drain() {
    Buffer b = Buffer.buffer(out.toByteArray());
    out.reset();
    return b;
  }
}
