"""Where our verifier's time goes, step by step, beside the floor: a tool for whoever tunes it.

    python -m bench.profile_verifier [--tokens 2000] [--rounds 9] [--cprofile]

Every step runs over the same distinct tokens, interleaved round by round with the floor, timed as
the CPU time of this thread (median of the rounds). Steps that reach into the verifier's private
helpers are skipped, with a message, if those helpers change names.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bench import ours
from bench.loopback import JwksServer
from bench.stats import median
from bench.tokens import USER_POOL_ID, TokenFactory, new_signing_key
from bench.verify_bench import split


def steps(
    function: ours.ResourceFunction, tokens: list[str], floor_items: list[tuple[bytes, bytes]]
) -> dict[str, Any]:
    from cognito_m2m_verifier import strict_json, token_parser
    from cognito_m2m_verifier.verifier import TokenVerifier

    key = function.jwks.get_key(next(iter(function.jwks.kids)))
    pad, sha256 = padding.PKCS1v15(), hashes.SHA256()
    base = function.app().verifier
    no_cache = TokenVerifier(
        issuer=base.issuer,
        jwks=base.jwks,
        allowed_client_ids=base.allowed_client_ids,
        leeway=base.leeway,
        cache_size=0,
    )
    parser = token_parser.TokenParser()
    parsed = [parser.parse(t) for t in tokens]
    to_standard = getattr(token_parser, "_TO_STANDARD", None)
    b64 = getattr(token_parser, "b64decode_standardized", None)
    check_claims = getattr(no_cache, "_check_claims", None)
    now = time.time()

    def floor() -> None:
        verify = key.verify
        for signing_input, signature in floor_items:
            verify(signature, signing_input, pad, sha256)

    def parse() -> None:
        for t in tokens:
            parser.parse(t)

    out: dict[str, Callable[[], None] | None] = {"floor: RSA verify alone": floor, "parse (whole)": parse}
    if to_standard is not None and b64 is not None:
        raws = [t.encode("ascii") for t in tokens]
        standards = [r.translate(to_standard) for r in raws]
        payload_segments = [s[s.find(b".") + 1 : s.rfind(b".")] for s in standards]
        signature_segments = [s[s.rfind(b".") + 1 :] for s in standards]
        payload_bytes = [b64(s) for s in payload_segments]

        def encode_translate() -> None:
            for t in tokens:
                t.encode("ascii").translate(to_standard)

        def b64_payload() -> None:
            for s in payload_segments:
                b64(s)

        def b64_signature() -> None:
            for s in signature_segments:
                b64(s)

        # the decoder the parser's hot path uses (it has taken text, then bytes), else the strict module's
        decode = getattr(token_parser, "_decode_json", None)
        json_input: list[Any] | None = None
        if decode is not None:
            for form in (payload_bytes, [p.decode("utf-8") for p in payload_bytes]):
                try:
                    decode(form[0])
                except TypeError:
                    continue
                json_input = form
                break
        if decode is None or json_input is None:
            decode, json_input = strict_json.loads_utf8, payload_bytes
        decode_fn, inputs = decode, json_input

        def payload_json() -> None:
            for p in inputs:
                decode_fn(p)

        out |= {
            "  encode + translate": encode_translate,
            "  base64url payload": b64_payload,
            "  strict JSON payload": payload_json,
            "  base64url signature": b64_signature,
        }
    else:
        print("profile: token_parser internals changed; parse sub-steps skipped")

    # private helper: its signature has been (payload, kid, now) and (payload, kid, now, token)
    claims_args: Callable[[Any, str], tuple[Any, ...]] | None = None
    for candidate in (lambda p, t: (p.payload, p.kid, now), lambda p, t: (p.payload, p.kid, now, t)):
        try:
            if check_claims is not None:
                check_claims(*candidate(parsed[0], tokens[0]))
                claims_args = candidate
                break
        except TypeError:
            continue
    if check_claims is not None and claims_args is not None:
        pairs = list(zip(parsed, tokens, strict=True))
        make_args = claims_args

        def claims() -> None:
            for p, t in pairs:
                check_claims(*make_args(p, t))

        out["claims (incl. time checks)"] = claims
    else:
        print("profile: the verifier's claim helper changed; claims step skipped")

    def key_lookup() -> None:
        get = base.jwks.get_key_and_length
        for p in parsed:
            get(p.kid)

    def verify_no_cache() -> None:
        for t in tokens:
            no_cache.verify(t)

    def verify_cache() -> None:
        verifier = function.app().verifier
        for t in tokens:
            verifier.verify(t)

    def authorize() -> None:
        run = function.authorizer()
        for t in tokens:
            run(t)

    out |= {
        "key lookup": key_lookup,
        "verify() without token cache": verify_no_cache,
        "verify() with token cache (fresh)": verify_cache,
        "authorize() as the handler (cache on)": authorize,
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions")
    args = parser.parse_args(argv)
    key = new_signing_key()
    tokens = TokenFactory(key).distinct_tokens(args.tokens)
    with JwksServer(key.jwks(), USER_POOL_ID) as server:
        function = ours.ResourceFunction(server.url, key.kid)
        loops = {k: v for k, v in steps(function, tokens, split(tokens)).items() if v is not None}
        times: dict[str, list[float]] = {k: [] for k in loops}
        for _ in range(args.rounds):
            for name, loop in loops.items():
                gc.collect()
                start = time.thread_time()
                loop()
                times[name].append((time.thread_time() - start) / len(tokens) * 1e6)
        floor = median(times["floor: RSA verify alone"])
        print(f"{'step':42s} {'us/token':>9s} {'vs floor':>9s}")
        for name, values in times.items():
            us = median(values)
            print(f"{name:42s} {us:9.2f} {us / floor:9.2f}")
        total = median(times["authorize() as the handler (cache on)"])
        print(
            f"\noverhead over the floor: {total - floor:.2f} us/token; ratio {floor / total:.3f} "
            f"(target 0.75 needs an overhead of at most {floor / 3:.2f} us at this floor)"
        )
        if args.cprofile:
            run = function.authorizer()
            profile = cProfile.Profile()
            profile.enable()
            for t in tokens:
                run(t)
            profile.disable()
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(15)
            print(text.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
