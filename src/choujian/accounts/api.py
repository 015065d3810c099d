"""API: token sign-in, the current user, organisations."""

from django.contrib.auth import authenticate
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from choujian.accounts import services
from choujian.accounts.lockout import retry_after, wait_message
from choujian.accounts.models import Organisation
from choujian.accounts.scope import organisations_visible_to
from choujian.core.api import ScopedModelViewSet
from choujian.core.examples import documented


@documented({"username": "sampler1", "password": "您的密码"})
class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.RegexField(r"^\d{6}$", required=False, help_text="需二次验证的角色（监管管理员、批准人）必填")


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token …`)."""

    access = "public"
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request):
        from django.conf import settings

        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        seconds = retry_after(form.validated_data["username"])
        if seconds:
            response = Response({"detail": wait_message(seconds)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            response["Retry-After"] = str(seconds)
            return response
        user = authenticate(
            request=request, username=form.validated_data["username"], password=form.validated_data["password"]
        )
        if user is None or not user.is_active:
            return Response({"detail": "用户名或密码不正确"}, status=status.HTTP_400_BAD_REQUEST)
        otp = form.validated_data.get("otp")
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        verified = bool(otp) and any(device.verify_token(otp) for device in devices)
        if settings.CHOUJIAN_ENFORCE_2FA and user.needs_two_factor and not verified:
            return Response({"otp": ["此账号需要二次验证：请提供手机令牌的 6 位验证码"]}, status=400)
        token, key = services.api_token_issue(user=user, two_factor=verified)
        return Response({"token": key, "expires_at": token.expires_at.isoformat()})


class MeOrganisationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    organisation = MeOrganisationSerializer(source="primary_organisation", allow_null=True)


class MeView(APIView):
    """The signed-in user, their roles and organisation."""

    access = "login"
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        data = MeSerializer(
            {
                "username": user.username,
                "display_name": user.display_name,
                "roles": sorted(user.roles),
                "primary_organisation": user.primary_organisation,
            }
        ).data
        return Response(data)


@documented(
    {
        "name": "福州市仓山区交通运输局",
        "kind": "regulator",
        "sector": "transport",
        "level": "county",
        "region": "350104",
        "parent": "00000000-0000-4000-8000-000000000000",
        "uscc": "",
        "address": "福建省福州市仓山区",
        "active": True,
    }
)
class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    parent = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "sector", "level", "region", "parent", "uscc", "address", "active", "version"]


class OrganisationViewSet(ScopedModelViewSet, viewsets.ModelViewSet):
    """Organisations: regulators see those in their region; everyone sees their own."""

    serializer_class = OrganisationSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    selector = staticmethod(lambda user: organisations_visible_to(user).select_related("parent"))
    create_service = staticmethod(services.organisation_create)
    update_service = staticmethod(services.organisation_update)
    object_arg = "organisation"
    filterset_fields = ["kind", "region", "level"]
    search_fields = ["name", "uscc"]
    ordering_fields = ["name", "region"]
