"""A small GSTN client written from shared/spec/GSTN-FORMATS.md alone (issue 10 item 5): the calls an ERP's
GST connector makes through a GSP, with every field it reads checked for GSTN's name and JSON type."""

import json as jsonlib
import time
from decimal import Decimal

import requests

NUMBER = (int, float, Decimal)


class GstnRefused(Exception):
    def __init__(self, http_status: int, error: dict):
        super().__init__(f"{http_status} {error}")
        self.http_status, self.error = http_status, error


def field(obj: dict, name: str, kind):
    """The value of ``name``, which GSTN's format says is present with JSON type ``kind``."""
    assert isinstance(obj, dict), f"expected an object holding {name!r}, got {type(obj).__name__}"
    assert name in obj, f"field {name!r} missing from {sorted(obj)}"
    value = obj[name]
    assert isinstance(value, kind) and not isinstance(value, bool), f"{name!r} is {value!r}, not {kind}"
    return value


def money(obj: dict, name: str) -> Decimal:
    return Decimal(str(field(obj, name, NUMBER)))


class GstnClient:
    def __init__(self, base_url: str, token: str, gstin: str):
        self.base = base_url.rstrip("/") + "/taxpayerapi"
        self.gstin = gstin
        self.http = requests.Session()
        self.http.headers.update(
            {"auth-token": token, "gstin": gstin, "clientid": "test-erp", "state-cd": gstin[:2]}
        )

    def _call(self, method: str, path: str, *, params=None, json=None, headers=None) -> dict:
        data = None
        if json is not None:  # amounts as JSON numbers, as GSTN's schema has them
            data = jsonlib.dumps(json, default=lambda v: float(v) if isinstance(v, Decimal) else str(v))
            headers = {**(headers or {}), "Content-Type": "application/json"}
        r = self.http.request(
            method, f"{self.base}/{path}", params=params, data=data, headers=headers, timeout=120
        )
        body = r.json(parse_float=Decimal)
        if field(body, "status_cd", str) != "1":
            raise GstnRefused(r.status_code, field(body, "error", dict))
        assert r.status_code == 200
        return body

    # --- IMS (§3) ---------------------------------------------------------------------------------------

    def ims_counts(self, goods_typ: str) -> dict:
        data = self._call(
            "GET",
            "v1.0/returns/ims",
            params={"action": "GETCNT", "gstin": self.gstin, "goods_typ": goods_typ},
        )["data"]
        block = field(data, {"ALL_OTH": "all_oth", "IMP_GDS": "imp_gds"}[goods_typ], dict)
        field(block, "ttl_cnt", int)
        return block

    def ims_records(self, section: str, status: str | None = None) -> list[dict]:
        params = {"action": "GETINV", "gstin": self.gstin, "section": section}
        if status:
            params["status"] = status
        data = self._call("GET", "v1.0/returns/ims", params=params)["data"]
        if "token" in data:  # large answer: fetch the files
            token = field(data, "token", str)
            files = self._call(
                "GET", "v1.0/returns/ims", params={"action": "FILEDET", "gstin": self.gstin, "token": token}
            )["data"]
            out = []
            for n in range(1, field(files, "fc", int) + 1):
                part = self._call(
                    "GET",
                    "v1.0/returns/ims",
                    params={"action": "FILEDET", "gstin": self.gstin, "token": token, "file_num": n},
                )["data"]
                out += next(iter(part.values()))
            return out
        return field(data, SECTION_KEYS[section], list)

    def ims_save(self, invdata: dict, *, reset: bool = False) -> str:
        body = {
            "action": "RESETIMS" if reset else "SAVE",
            "data": {"rtin": self.gstin, "reqtyp": "RESET" if reset else "SAVE", "invdata": invdata},
        }
        return field(self._call("PUT", "v1.0/returns/ims", json=body)["data"], "reference_id", str)

    def ims_status(self, reference_id: str) -> dict:
        for _ in range(60):
            data = self._call(
                "GET",
                "v1.0/returns/ims",
                params={"action": "REQSTS", "gstin": self.gstin, "int_tran_id": reference_id},
            )["data"]
            if field(data, "status_cd", str) != "IP":
                field(data, "proc_cnt", str), field(data, "err_cnt", str), field(data, "error_report", dict)
                return data
            time.sleep(0.5)
        raise AssertionError("REQSTS stayed IP")

    # --- GSTR-2B (§2) ------------------------------------------------------------------------------------

    def gen2b(self, period: str) -> str:
        body = {"action": "GEN2B", "data": {"rtin": self.gstin, "itcprd": period}}
        return field(self._call("PUT", "v4.0/returns/gstr2b", json=body)["data"], "reference_id", str)

    def gen2b_status(self, reference_id: str) -> dict:
        data = self._call(
            "GET",
            "v4.0/returns/gstr2b",
            params={"action": "GENSTS2B", "gstin": self.gstin, "int_tran_id": reference_id},
        )["data"]
        field(data, "status_cd", str), field(data, "err_cd", str), field(data, "err_msg", str)
        return data

    def gstr2b(self, period: str) -> dict:
        """Every file of the period's 2B, documents merged (docdata / docRejdata by section)."""
        first = self._call(
            "GET", "v4.0/returns/gstr2b", params={"action": "GET2B", "gstin": self.gstin, "rtnprd": period}
        )
        field(first, "chksum", str)
        data = field(first, "data", dict)
        for n in range(2, field(data, "fc", int) + 1):
            more = self._call(
                "GET",
                "v4.0/returns/gstr2b",
                params={"action": "GET2B", "gstin": self.gstin, "rtnprd": period, "file_num": n},
            )["data"]
            for part in ("docdata", "docRejdata"):
                for section, rows in more[part].items():
                    data[part][section] += rows
        return data

    # --- GSTR-1 (§1) -------------------------------------------------------------------------------------

    def gstr1_save(self, period: str, payload: dict) -> str:
        body = {"action": "RETSAVE", "data": payload}
        return field(
            self._call("PUT", "v4.0/returns/gstr1", json=body, headers={"ret_period": period})["data"],
            "reference_id",
            str,
        )

    def gstr1_status(self, period: str, reference_id: str) -> dict:
        data = self._call(
            "GET",
            "v4.0/returns",
            params={"action": "RETSTATUS", "gstin": self.gstin, "ret_period": period, "ref_id": reference_id},
        )["data"]
        field(data, "status_cd", str)
        return data

    def gstr1_section(self, period: str, action: str) -> dict:
        return self._call(
            "GET", "v4.0/returns/gstr1", params={"action": action, "gstin": self.gstin, "ret_period": period}
        )["data"]

    def gstr1_file(self, period: str) -> dict:
        body = {"action": "RETFILE", "data": {"ret_period": period}}
        data = self._call("POST", "v4.0/returns/gstr1", json=body, headers={"ret_period": period})["data"]
        field(data, "ack_num", str)
        return data


SECTION_KEYS = {
    "B2B": "b2b",
    "B2BA": "b2ba",
    "CN": "b2bcn",
    "CNA": "b2bcna",
    "DN": "b2bdn",
    "DNA": "b2bdna",
    "ECOM": "ecom",
    "ECOMA": "ecoma",
    "IMPG": "impg",
    "IMPGA": "impga",
    "IMPGSEZ": "impgsez",
    "IMPGSEZA": "impgseza",
}
