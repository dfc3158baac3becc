"""The Chicago complaints release (real public data in ../shared/data/cpdp) through the
adapter: the figures the publisher reports must come out, nothing lost."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from graph.workspace import open_store
from ingest.cpdp import to_contract
from ingest.run import ingest_dir
from tests.conftest import embedded_settings

CPDP = Path(
    os.environ.get("LINKWATCH_CPDP_DIR", Path(__file__).resolve().parents[2] / "shared" / "data" / "cpdp")
)

pytestmark = pytest.mark.skipif(
    not (CPDP / "complaints-accused_2000-2016_2016-11.csv.gz").exists(),
    reason=f"CPDP release not found at {CPDP} (set LINKWATCH_CPDP_DIR to the folder from shared/data/cpdp)",
)


def test_cpdp_published_counts(tmp_path: Path) -> None:
    contract = to_contract(CPDP, tmp_path / "contract")
    # checkpointing ~110k complaint nodes needs more than the small test buffer pool
    s = embedded_settings(tmp_path).model_copy(update={"buffer_pool_mb": 1024})
    with open_store(s) as st:
        rep = ingest_dir(st, contract, s.data_dir)
        assert rep.rows_read == rep.rows_loaded + rep.rows_quarantined
        by_table = {t.table.name: t for t in rep.tables}
        # complaint tables: nothing quarantined, nothing lost
        assert len(by_table["complaints"].quarantine) == 0
        assert len(by_table["complaint_subjects"].quarantine) == 0
        assert len(by_table["officers"].quarantine) == 0
        one = st.query("MATCH (c:Complaint) RETURN count(c) AS n")[0]["n"]
        pairs = st.query("MATCH (:Officer)-[r:NAMED_IN]->(:Complaint) RETURN count(r) AS n")[0]["n"]
        accused = st.query("MATCH (o:Officer)-[:NAMED_IN]->(:Complaint) RETURN count(DISTINCT o) AS n")[0][
            "n"
        ]
        with_accused = st.query("MATCH (c:Complaint)<-[:NAMED_IN]-() RETURN count(DISTINCT c) AS n")[0]["n"]
        assert (one, pairs, accused, with_accused) == (109_339, 125_581, 16_021, 67_446)
        # every quarantined assignment row is explained
        q = pd.read_csv(rep.quarantine_file)
        assert set(q["file"]) <= {"assignments.csv.gz"}
        assert q["reason"].str.len().gt(0).all()
