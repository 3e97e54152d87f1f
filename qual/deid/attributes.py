"""Case attributes (the participants sheet's columns on a transcript) and what they hold.

A typed attribute (name, school, local authority, email ...) is replaced by the same tag its
value gets in the text; ``interview_date`` is kept to the month; identifiers such as
``participant_id``, ``role`` and ``trial_arm`` are kept; any other text attribute is
de-identified like speech.
"""

from __future__ import annotations

import re
from typing import Any

from .identity import EntityType, tag_for

# Attributes (participants-sheet columns) and what they hold; keys compared in lower case.
ATTRIBUTE_TYPES = {
    "name": EntityType.PERSON, "participant_name": EntityType.PERSON,
    "full_name": EntityType.PERSON, "first_name": EntityType.PERSON,
    "last_name": EntityType.PERSON, "surname": EntityType.PERSON,
    "interviewee": EntityType.PERSON, "interviewer": EntityType.PERSON,
    "researcher": EntityType.PERSON, "interviewer_name": EntityType.PERSON,
    "school": EntityType.SCHOOL, "school_name": EntityType.SCHOOL,
    "local_authority": EntityType.LOCAL_AUTHORITY, "la": EntityType.LOCAL_AUTHORITY,
    "council": EntityType.LOCAL_AUTHORITY, "authority": EntityType.LOCAL_AUTHORITY,
    "email": EntityType.EMAIL, "email_address": EntityType.EMAIL,
    "phone": EntityType.PHONE, "telephone": EntityType.PHONE, "mobile": EntityType.PHONE,
    "postcode": EntityType.POSTCODE, "address": EntityType.ADDRESS,
    "date_of_birth": EntityType.DATE_OF_BIRTH, "dob": EntityType.DATE_OF_BIRTH,
}
DATE_ATTRIBUTES = frozenset({"interview_date", "date", "date_of_interview"})
SAFE_ATTRIBUTES = frozenset({
    "participant_id", "id", "role", "trial_arm", "arm", "wave", "group", "condition", "site_id",
    "school_id", "la_id", "language", "format", "cohort", "phase", "sex", "gender",
})


def attribute_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def split_values(value: str) -> list[tuple[int, int]]:
    """Ranges of the values in a multi-valued cell ("Castlebrook Academy; St Bede's")."""
    ranges = []
    position = 0
    for separator in list(re.finditer(r"\s*(?:;|\||\n| & | and )\s*", value)) + [None]:
        end = separator.start() if separator is not None else len(value)
        if value[position:end].strip():
            ranges.append((position, end))
        if separator is not None:
            position = separator.end()
    return ranges


def coarse_date(value: Any) -> str:
    """``interview_date`` to the month (``2023-03``); ``[Date]`` when it cannot be read."""
    import pandas as pd

    if value is None or (isinstance(value, float) and value != value):
        return value
    text = str(value).strip()
    if not text:
        return value
    iso = re.match(r"(\d{4})-(\d{1,2})", text)
    if iso:
        return f"{int(iso.group(1)):04d}-{int(iso.group(2)):02d}"
    try:
        stamp = pd.to_datetime(text, dayfirst=True)
    except (ValueError, TypeError, OverflowError):
        return tag_for(EntityType.DATE, 0)
    if stamp is pd.NaT:
        return tag_for(EntityType.DATE, 0)
    return f"{stamp.year:04d}-{stamp.month:02d}"
