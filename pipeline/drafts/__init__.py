"""Machine drafts: engines behind one interface, masked text, validated results queued for review.

Only this package touches deep-translator.
"""
