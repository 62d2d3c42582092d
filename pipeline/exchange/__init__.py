"""Exchange with translation agencies' tools: XLIFF 1.2/2.0, TMX translation memories, TBX glossaries.

Sits above review (an import is a review act, under its rules) and below publishing.
"""
