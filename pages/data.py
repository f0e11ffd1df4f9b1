"""Data: import files (preview, errors, all-or-nothing), export tables, download templates."""
import logging

import streamlit as st

from genxsop_core.domain.exceptions import GenXSOPError, ValidationFailed
from genxsop_core.io import exporter, importer
from genxsop_core.io.formats import FORMATS, IMPORT_ORDER
from genxsop_ui import runtime, session, tables
from genxsop_ui.formatting import plain
from genxsop_ui.tabs import kept_tabs

_log = logging.getLogger("genxsop.pages.data")
actor = session.guard("data")
st.title("Data")
importable = [k for k in IMPORT_ORDER if session.allowed(actor, f"import.{k}")]
tab_names = (["Import"] if importable else []) + ["Export", "Templates"]
tabs = dict(zip(tab_names, kept_tabs(tab_names, "data_tab")))

if "Import" in tabs:
    with tabs["Import"]:
        kind = st.selectbox("What are you importing?", importable, format_func=lambda k: FORMATS[k].title,
                            key="import_kind")
        st.caption(FORMATS[kind].help + " Rows are matched on "
                   + " + ".join(FORMATS[kind].key) + ": re-importing a file updates, never duplicates.")
        upload = st.file_uploader("CSV or Excel file", type=["csv", "xlsx", "txt"], key=f"upload_{kind}")
        if upload is not None:
            content = upload.getvalue()
            try:
                report = importer.check_file(runtime.uow(), kind, upload.name, content)
            except GenXSOPError as error:
                session.show_error(error)
                report = None
            except Exception:  # an upload never shows a traceback: say so, log it for the admin
                _log.exception("checking upload %r (%s) failed", upload.name, kind)
                st.error(f"{plain(upload.name)} could not be checked: an unexpected error was logged for the "
                         "admin. Nothing was imported.")
                report = None
            if report is not None and not report.ok:
                session.show_error(ValidationFailed(report.issues))
            elif report is not None:
                st.success(f"{plain(upload.name)}: {len(report.frame):,} rows, all valid. Preview:")
                tables.show(report.frame.head(50), key="import_preview", file_columns=True)
                if st.button(f"Import {len(report.frame):,} rows", type="primary", key="import_go"):
                    try:
                        result = importer.import_file(runtime.uow(), actor, kind, upload.name, content)
                        st.success(plain(result.summary()))
                    except GenXSOPError as error:
                        session.show_error(error)
                    except Exception:  # e.g. the database went away: the import rolled back as a whole
                        _log.exception("importing upload %r (%s) failed", upload.name, kind)
                        st.error(f"Importing {plain(upload.name)} failed on an unexpected error, logged for the "
                                 "admin. An import is all or nothing: the data is as it was.")

with tabs["Export"]:
    kind = st.selectbox("Table", list(FORMATS), format_func=lambda k: FORMATS[k].title, key="export_kind")
    file_type = st.radio("Format", ["csv", "xlsx"], horizontal=True, key="export_type")
    frame = exporter.export_frame(runtime.uow(), kind)
    st.caption(f"{len(frame):,} rows")
    tables.show(frame.head(200), key="export_preview", file_columns=True)
    st.download_button(f"Download {FORMATS[kind].title.lower()} ({file_type})",
                       exporter.encode(frame, file_type, FORMATS[kind].title),
                       file_name=f"genxsop_{kind}.{file_type}", key="export_download")

with tabs["Templates"]:
    st.write("Start from a template: the header row, an example row (a row of your data, once there is "
             "some: SKUs and resources you know), and (Excel) a sheet describing each column.")
    for kind, fmt in FORMATS.items():
        with st.expander(fmt.title):
            st.caption(fmt.help)
            tables.show(exporter.column_notes(fmt), key=f"template_notes_{kind}")
            left, right = st.columns(2)
            for column, file_type in ((left, "csv"), (right, "xlsx")):
                column.download_button(f"{fmt.title} template (.{file_type})",  # built when clicked
                                       lambda k=kind, t=file_type: exporter.template(k, t, runtime.uow()),
                                       file_name=f"{kind}_template.{file_type}", key=f"template_{kind}_{file_type}")
