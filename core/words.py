"""Words a practitioner reads for GST codes, shared by every page (UI.md): states for place of supply,
invoice types, source forms."""

INVOICE_TYPE_NAMES = {
    "R": "Regular",
    "SEWP": "SEZ supplies with payment of tax",
    "SEWOP": "SEZ supplies without payment of tax",
    "DE": "Deemed export",
    "CBW": "Intra-state supplies attracting IGST",
}
STATES = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "25": "Daman and Diu",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "28": "Andhra Pradesh (before 2014)",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "96": "Other countries",
    "97": "Other territory",
}

SOURCE_FORMS = {"R1": "GSTR-1", "R1A": "GSTR-1A", "IFF": "IFF", "BOE": "Bill of entry"}


def pos_label(code: str) -> str:
    """Place of supply as "29-Karnataka"."""
    return f"{code}-{STATES.get(code, '')}" if code else ""
