"""Voice interviews: speech in (STT), speech out (TTS), turn-taking and delivery feedback.

Import what you need from the modules (``interviewer.voice.stt``, ``.tts``, ``.pipeline``...);
this package imports nothing heavy itself, so text mode never pays for audio libraries.

    from interviewer.voice.stt import get_stt, transcribe_file
    from interviewer.voice.tts import get_tts
    from interviewer.voice.delivery import measure
"""
