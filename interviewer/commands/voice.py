"""Voice commands: ``transcribe`` and ``speak`` for scripting, ``voice`` for a spoken interview."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from interviewer.commands.interview_options import (
    AllowRepeatsOpt,
    ContextOpt,
    FocusOpt,
    FollowupsOpt,
    LevelOpt,
    LoopOpt,
    PersonaOpt,
    ResumeOpt,
    RoundOpt,
    TopicOpt,
    interview_config,
)
from interviewer.config import get_settings
from interviewer.errors import InputError, InterviewerError

if TYPE_CHECKING:
    from interviewer.session import InterviewConfig


def register(app: typer.Typer) -> None:
    app.command("transcribe", help="Transcribe a recording (WAV, FLAC, OGG, MP3, WebM...).")(transcribe_cmd)
    app.command("speak", help="Speak a text with the configured voice into a WAV file.")(speak_cmd)
    app.command("voice", help="A spoken interview through the microphone and speaker.")(voice_cmd)


def transcribe_cmd(
    file: Annotated[Path, typer.Argument(help="audio file")],
    as_json: Annotated[bool, typer.Option("--json", help="transcript, timings and delivery as JSON")] = False,
    max_seconds: Annotated[float | None, typer.Option("--max-seconds", min=1, help="trim longer recordings")] = None,
) -> None:
    from interviewer.voice.delivery import measure
    from interviewer.voice.stt import transcribe_file

    settings = get_settings()
    if max_seconds is not None:
        settings = settings.model_copy(
            update={"voice": settings.voice.model_copy(update={"max_record_s": max_seconds})}
        )
    transcript = transcribe_file(file, settings=settings)
    if as_json:
        data: dict[str, Any] = transcript.model_dump(mode="json")
        data["delivery"] = measure(transcript).model_dump(mode="json")
        typer.echo(json.dumps(data, indent=2))
        return
    for note in transcript.notes:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)
    typer.echo(transcript.text)


def speak_cmd(
    text: Annotated[str, typer.Argument(help="what to say; '-' reads standard input")],
    output: Annotated[Path, typer.Option("-o", "--output", help="WAV file to write")],
    engine: Annotated[
        str | None, typer.Option("--engine", help="piper | espeak | openai (default: configured)")
    ] = None,
) -> None:
    import soundfile as sf

    from interviewer.voice.tts import get_tts, synthesize_to_array

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise InputError("nothing to say: the text is empty")
    settings = get_settings()
    if engine is not None:
        if engine not in {"piper", "espeak", "openai"}:
            raise InputError(f"unknown voice engine {engine!r}; choose piper, espeak or openai")
        settings = settings.model_copy(update={"voice": settings.voice.model_copy(update={"tts": engine})})
    tts = get_tts(settings)
    samples, rate = synthesize_to_array(tts, text)
    try:
        sf.write(output, samples, rate, subtype="PCM_16")
    except (OSError, RuntimeError) as e:
        raise InterviewerError(f"cannot write {output}: {e}") from None
    typer.echo(f"wrote {output} ({len(samples) / rate:.1f} s, {tts.name})")


def voice_cmd(
    list_devices: Annotated[bool, typer.Option("--list-devices", help="show audio devices and exit")] = False,
    input_device: Annotated[str | None, typer.Option("--input-device", help="number or part of the name")] = None,
    output_device: Annotated[str | None, typer.Option("--output-device", help="number or part of the name")] = None,
    silence: Annotated[
        float | None, typer.Option("--silence", min=0.5, help="seconds of silence that end an answer (default 3)")
    ] = None,
    push_to_talk: Annotated[bool, typer.Option("--push-to-talk", help="Enter starts and stops each answer")] = False,
    echo: Annotated[bool, typer.Option("--echo", help="microphone check: repeat back what was heard")] = False,
    round: RoundOpt = None,
    persona: PersonaOpt = None,
    level: LevelOpt = "MLE3",
    loop: LoopOpt = False,
    topic: TopicOpt = None,
    focus: FocusOpt = None,
    context: ContextOpt = None,
    allow_repeats: AllowRepeatsOpt = False,
    resume: ResumeOpt = None,
    followups: FollowupsOpt = "offline",
    max_answers: Annotated[
        int | None, typer.Option("--max-answers", min=1, help="pause after this many answers (resume later)")
    ] = None,
) -> None:
    from interviewer.voice import audio

    if list_devices:
        _print_devices(audio.list_devices())
        return
    config = None
    if not (echo or resume):  # a bad option is reported before any device or model is touched
        config = interview_config(
            round=round,
            persona=persona,
            level=level,
            loop=loop,
            topic=topic,
            focus=focus,
            context=context,
            allow_repeats=allow_repeats,
            followups=followups,
        )
    settings = get_settings()
    in_dev = audio.resolve_device(input_device or settings.voice.input_device, "input")
    out_dev = audio.resolve_device(output_device or settings.voice.output_device, "output")
    conversation = _echo() if echo else _interview(config, resume)

    from interviewer.voice.loop import run_voice_interview
    from interviewer.voice.stt import get_stt
    from interviewer.voice.tts import get_tts
    from interviewer.voice.turns import TurnConfig

    typer.echo("loading speech models...")
    stt, tts = get_stt(settings), get_tts(settings)
    turns = TurnConfig(silence_s=silence or settings.voice.silence_s, max_turn_s=settings.voice.max_record_s)
    mic, speaker = audio.Microphone(in_dev), audio.Speaker(out_dev)
    if push_to_talk:
        _read_keys(mic)
    try:
        result = run_voice_interview(
            mic,
            speaker,
            stt,
            tts,
            conversation.reply,
            opening=conversation.opening(),
            is_over=conversation.is_over,
            turns=turns,
            push_to_talk=push_to_talk,
            max_answers=max_answers,
            on_frame=_Printer(push_to_talk, turns.silence_s),
        )
    except KeyboardInterrupt:
        session_id = getattr(conversation, "session_id", None)
        if session_id:  # every turn is saved as it happens
            typer.echo(f"\npaused; resume with: interviewer voice --resume {session_id}")
        raise typer.Exit(130) from None
    finally:
        speaker.close()
    d = result.delivery
    if d.answers:
        typer.echo(
            f"\ndelivery: {d.words_per_minute or 0:.0f} words/min, {d.fillers_per_minute or 0:.1f} fillers/min, "
            f"{d.long_pauses} long pause(s), {d.talk_time_s:.0f} s talking over {d.answers} answer(s)"
        )
        for note in d.notes:
            typer.echo(f"  - {note}")
    session_id = getattr(conversation, "session_id", None)
    if session_id and not conversation.is_over():
        n = len(result.answers)
        typer.echo(f"paused after {n} answer(s); resume with: interviewer voice --resume {session_id}")
    if session_id:
        typer.echo(f"session {session_id}: see the report with interviewer sessions show {session_id}")


def _echo() -> Any:
    from interviewer.voice.loop import EchoConversation

    return EchoConversation()


def _interview(config: InterviewConfig | None, resume: str | None) -> Any:
    """The interview engine (the one ``interviewer chat`` uses) behind the voice ``Conversation``."""
    from interviewer.session import Interview
    from interviewer.voice.loop import InterviewConversation

    if resume:
        return InterviewConversation(Interview.resume(resume))
    assert config is not None  # built from the options whenever there is no session to resume
    return InterviewConversation(Interview.create(config))


def _print_devices(devices: list[dict[str, Any]]) -> None:
    if not devices:
        typer.echo("no audio devices found (no sound card, or PortAudio sees none); use text mode: interviewer chat")
        return
    for d in devices:
        marks = ("<in " if d["default_input"] else "") + ("<out" if d["default_output"] else "")
        typer.echo(f"{d['index']:>3}  {d['name']}  (in {d['inputs']}, out {d['outputs']}) {marks}".rstrip())


def _read_keys(mic: Any) -> None:
    """Enter toggles recording; 'q' then Enter quits. Runs beside the audio loop."""

    def loop() -> None:
        recording = False
        for line in sys.stdin:
            if line.strip().lower() in {"q", "quit", "exit"}:
                mic.close()
                return
            recording = not recording
            mic.controls.put("start" if recording else "stop")

    threading.Thread(target=loop, name="keys", daemon=True).start()


class _Printer:
    """What the candidate sees while talking: the transcript of each answer, the
    interviewer's words, and when it is their turn."""

    def __init__(self, push_to_talk: bool, silence_s: float) -> None:
        self.hint = (
            "(press Enter to start answering, Enter again when done)"
            if push_to_talk
            else f"(answer when ready; {silence_s:.0f} s of silence ends your answer)"
        )

        self.replying = False

    def __call__(self, frame: Any) -> None:
        from interviewer.voice import frames as f

        if isinstance(frame, f.ReplyText):
            # One reply, several sentences: name the speaker once, indent the rest.
            prefix = "             " if self.replying else "interviewer: "
            self.replying = True
            typer.secho(prefix + frame.text, fg=typer.colors.CYAN)
        elif isinstance(frame, f.ReplyDone):
            self.replying = False
            typer.echo(f"listening... {self.hint}")
        elif isinstance(frame, f.SpeechStarted):
            typer.echo("recording...")
        elif isinstance(frame, f.TranscriptFrame):
            d = frame.delivery
            typer.secho(f"you: {frame.transcript.text}", fg=typer.colors.GREEN)
            typer.echo(f"   ({d.words_per_minute or 0:.0f} words/min, {d.filler_count} filler(s))")
        elif isinstance(frame, f.UnclearTranscript):
            t = frame.transcript
            typer.secho(f"(unclear: {t.text or 'nothing heard'}; {'; '.join(t.notes)})", fg=typer.colors.YELLOW)
