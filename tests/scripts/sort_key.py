"""The order of team names in every document, as chargeback's text_sort_key (src/text.c) makes
it: letters without case, the Latin letters with diacritics as their base letters, runs of
digits by their value, every other character by its code point; equal keys then by the name's
bytes, then by team id. Used by the checkers that compare a document's order with report.json."""

# U+00C0..U+017F, two characters each: the base letter(s), or "*" to keep the character
_LATIN = ("a a a a a a aec e e e e i i i i d n o o o o o * o u u u u y thss"
          "a a a a a a aec e e e e i i i i d n o o o o o * o u u u u y thy "
          "a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g "
          "g g g g h h h h i i i i i i i i i i ijijj j k k k l l l l l l l "
          "l l l n n n n n n n n n o o o o o o oeoer r r r r r s s s s s s "
          "s s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s ")


def sort_key(name):
    out = bytearray()
    i, n = 0, len(name)
    while i < n:
        ch = name[i]
        if "0" <= ch <= "9":
            j = i
            while j < n and name[j] == "0":
                j += 1
            k = j
            while k < n and "0" <= name[k] <= "9":
                k += 1
            digits = name[j:k]
            out += b"0" + bytes([min(len(digits) + 1, 255)]) + digits.encode()
            i = k
            continue
        cp = ord(ch)
        if cp < 0x80:
            out += ch.lower().encode() if "A" <= ch <= "Z" else ch.encode()
        elif 0xC0 <= cp <= 0x17F and _LATIN[2 * (cp - 0xC0)] != "*":
            out += _LATIN[2 * (cp - 0xC0):2 * (cp - 0xC0) + 2].strip().encode()
        else:
            out += ch.encode("utf-8")
        i += 1
    return bytes(out)


def team_order_key(name, team_id):
    return (sort_key(name), name.encode("utf-8"), team_id)
