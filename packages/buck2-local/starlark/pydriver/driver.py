"""The driver: loads packages, coerces attributes, checks deps and visibility, runs analysis, and records actions.

Split by concern, each against its page of Buck2's docs: loading.py (packages and targets), analysis.py (analysis,
attrs and providers), actions.py (actions and artifacts), export.py (what evaluate.py prints). Driver holds the state."""
from __future__ import annotations

from .config import DriverError, Label, Project
from .interp import Frame, Interpreter
from .trace import is_internal, parse as parse_trace

from .actions import ActionsMixin, Artifact  # noqa: F401
from .analysis import Analysis, AnalysisMixin  # noqa: F401
from .export import ExportMixin
from .loading import LoadingMixin, RuleDef, Target  # noqa: F401


class Driver(LoadingMixin, AnalysisMixin, ActionsMixin, ExportMixin):
    def __init__(self, project: Project):
        self.project = project
        self.rules: dict[int, RuleDef] = {}
        self.providers: dict[int, dict] = {}
        self.packages: dict[tuple[str, str], dict[str, Target]] = {}
        self.artifacts: dict[int, Artifact] = {}
        self.source_artifacts: dict[str, int] = {}
        # projected artifact id -> the artifact it is a path inside of (which has the producer)
        self.projections: dict[int, int] = {}
        self.actions: list[dict] = []
        self.analyses: dict[Label, Analysis] = {}
        self.current: Analysis | None = None
        self.interp = Interpreter(project, self._callables(), lambda n: None)
        self.interp.load_prelude()

    def _callables(self) -> dict:
        return {
            "__py_new_provider": self._new_provider,
            "__py_builtin_provider": self._builtin_provider,
            "__py_provider_name": self.provider_name,
            "__py_new_rule": self._new_rule,
            "__py_new_target": self._new_target,
            "__py_export_rule": self._export_rule,
            "__py_export_provider": self._export_provider,
            "__py_glob": self._glob,
            "__py_package_name": self._package_name,
            "__py_rule_exists": self._rule_exists,
            "__py_read_config": self._read_config,
            "__py_host_info": self._host_info,
            "__py_ctx_data": self._ctx_data,
            "__py_declare_output": self._declare_output,
            "__py_artifact_info": self._artifact_info,
            "__py_project_artifact": self._project_artifact,
            "__py_action": self._action,
            "__py_finish_analysis": self._finish_analysis,
            "__py_cmd_outputs": self._cmd_outputs,
            "__py_call_stack": self._call_stack,
        }

    def _call_stack(self, text: str, strip_frames: int = 0) -> str:
        """A `call_stack()` text as Buck2 gives it: the user's frames (none of the driver's), their lines as in the
        user's files, the innermost `strip_frames` left out."""
        frames = [f for f in parse_trace(text).frames if not is_internal(f.path)]
        if strip_frames > 0:
            frames = frames[: max(0, len(frames) - strip_frames)]
        out = ["Traceback (most recent call last):\n"]
        for f in frames:
            line = self.interp.locator.fix(f.path, f.line, 1)[0]
            out.append(f"  * {f.path}:{line}, in {f.fn}\n" + (f"      {f.code}\n" if f.code else ""))
        return "".join(out)

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except DriverError as e:
            self.interp.pending_error = self.interp.pending_error or e
            raise

    def _subject(self) -> str:
        if self.current is not None:
            return str(self.current.target.label)
        top = self.interp.stack[-1] if self.interp.stack else None
        return top.module_id if top else ""

    def _err(self, e: DriverError) -> DriverError:
        self.interp.pending_error = self.interp.pending_error or e
        return e

    def _buck_frame(self, what: str) -> Frame:
        for f in reversed(self.interp.stack):
            if f.kind == "buck":
                return f
        raise self._err(DriverError(self._subject(), f"{what} can only be called while a BUCK file is evaluated"))
