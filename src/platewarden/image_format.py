"""The file suffix of stored images (JPEG or PNG)."""

PNG_SIGNATURE = b"\x89PNG"


def suffix_for(data: bytes) -> str:
    """Return .png for PNG bytes and .jpg otherwise (the store keeps only the two)."""
    return ".png" if data.startswith(PNG_SIGNATURE) else ".jpg"
