"""Draw records (public), the regulators' list of draws, and the ceremony API for participants' own devices.

A participant's personal token is a capability link: it needs no sign-in (a public witness has no account),
and it only lets its holder commit and reveal for that one participant. Those endpoints use no session
authentication, so no CSRF token is needed on a phone that has never signed in.
"""

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from choujian.core.examples import documented
from choujian.draws import selectors, services
from choujian.draws.models import CeremonyParticipant, Draw


class DrawSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    plan = serializers.CharField(source="plan.code", read_only=True)
    task = serializers.CharField(source="task.code", read_only=True, allow_null=True, default=None)
    record_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = [
            "id",
            "purpose",
            "purpose_label",
            "plan",
            "task",
            "created_at",
            "record_sha256",
            "record_url",
            "page_url",
        ]

    def get_record_url(self, draw: Draw) -> str:
        return reverse("api-draw-record", args=[draw.public_id])

    def get_page_url(self, draw: Draw) -> str:
        return reverse("draws:public", args=[draw.public_id])


@extend_schema_view(get=extend_schema(parameters=[OpenApiParameter("plan", str, description="计划编号")]))
class DrawListView(generics.ListAPIView):
    """The draws of the plans a regulator sees, newest first (each record itself is public)."""

    access = "login"
    serializer_class = DrawSerializer
    filterset_fields = ["purpose"]
    search_fields = ["plan__code", "task__code"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = selectors.draws_visible_to(self.request.user)
        plan = self.request.query_params.get("plan")
        return queryset.filter(plan__code=plan) if plan else queryset


class DrawDetailView(APIView):
    """One draw's metadata; public like its record."""

    access = "public"
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: DrawSerializer, 404: OpenApiResponse(description="没有这条抽取记录")})
    def get(self, request, public_id):
        draw = selectors.draw_public(request.user, public_id)
        if draw is None:
            raise Http404("没有这条抽取记录")
        return Response(DrawSerializer(draw).data)


class DrawRecordView(APIView):
    """The published draw record JSON as revealed so far (draw-v2; retest draws draw-v1), to anyone without sign-in.
    `X-Record-SHA256` is the hash of the complete record as stored."""

    access = "public"
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="choujian-draw-v1 抽取记录"),
            404: OpenApiResponse(description="没有这条抽取记录"),
        }
    )
    def get(self, request, public_id):
        draw = selectors.draw_public(request.user, public_id)
        if draw is None:
            raise Http404("没有这条抽取记录")
        text = selectors.public_record_text(draw)
        response = HttpResponse(text.encode("utf-8"), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="draw-{draw.public_id}.json"'
        response["X-Record-SHA256"] = draw.record_sha256
        return response


class CeremonyPeerSerializer(serializers.Serializer):
    name = serializers.CharField()
    committed = serializers.BooleanField()
    revealed = serializers.BooleanField()


class ParticipantViewSerializer(serializers.Serializer):
    participant = serializers.CharField(help_text="本人姓名")
    plan = serializers.CharField()
    plan_name = serializers.CharField()
    regulator = serializers.CharField()
    frame_digest = serializers.CharField(help_text="已公布的抽样框摘要")
    status = serializers.CharField()
    status_label = serializers.CharField()
    reveal_deadline = serializers.DateTimeField()
    committed = serializers.BooleanField()
    commitment = serializers.CharField()
    revealed = serializers.BooleanField()
    participants = CeremonyPeerSerializer(many=True)
    draw = serializers.UUIDField(allow_null=True, help_text="仪式完成后的抽取记录编号")


@documented({"commitment": "0000000000000000000000000000000000000000000000000000000000000000"})
class CommitSerializer(serializers.Serializer):
    commitment = serializers.CharField(max_length=128, help_text="SHA-256(随机数) 的 64 位小写十六进制")


@documented({"secret": "在本设备上生成并保存的随机数"})
class RevealSerializer(serializers.Serializer):
    secret = serializers.CharField(max_length=400, trim_whitespace=False, help_text="提交承诺值时使用的随机数")


def _device(request) -> str:
    """The participant's browser session: a commitment binds the link to it, and the reveal must come from it."""
    session = request._request.session
    if not session.session_key:
        session["ceremony"] = True
        session.save()
    return session.session_key


class _ParticipantView(APIView):
    access = "public"
    authentication_classes = []
    permission_classes = [AllowAny]

    def participant(self, token: str) -> CeremonyParticipant:
        participant = selectors.participant_by_token(token)
        if participant is None:
            raise Http404("链接无效")
        return participant

    def status_response(self, participant: CeremonyParticipant, code: int = status.HTTP_200_OK) -> Response:
        participant = selectors.participant_again(participant)
        return Response(ParticipantViewSerializer(selectors.participant_status(participant)).data, status=code)


class CeremonyParticipantView(_ParticipantView):
    """A participant's own view of the ceremony, by their personal link."""

    @extend_schema(responses={200: ParticipantViewSerializer, 404: OpenApiResponse(description="链接无效")})
    def get(self, request, token):
        return self.status_response(self.participant(token))


class CeremonyCommitView(_ParticipantView):
    """Submit SHA-256(secret), computed on the participant's device; the secret stays there until the reveal."""

    @extend_schema(request=CommitSerializer, responses={200: ParticipantViewSerializer})
    def post(self, request, token):
        participant = self.participant(token)
        form = CommitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.ceremony_commit(
            participant=participant, commitment=form.validated_data["commitment"], device=_device(request)
        )
        return self.status_response(participant)


class CeremonyRevealView(_ParticipantView):
    """Reveal the secret once every commitment is in; it must hash to the commitment."""

    @extend_schema(request=RevealSerializer, responses={200: ParticipantViewSerializer})
    def post(self, request, token):
        participant = self.participant(token)
        form = RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.ceremony_reveal(participant=participant, secret=form.validated_data["secret"], device=_device(request))
        return self.status_response(participant)
