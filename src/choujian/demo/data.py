"""Static material for the demo data set: the regulators, bodies, projects, categories and name parts.

Everything here is fictitious except the public bodies' names and the GB/T 2260 division codes. Standards are the
main product standards as commonly cited for each category, without edition year; where unsure they are left blank.
"""

from dataclasses import dataclass, field

SEED = 2026
YEAR = 2026

# ── Regulators ─────────────────────────────────────────────────────────────────────────────────────────────────────
PROVINCE = ("350000", "福建省交通运输厅", "福州市鼓楼区东水路18号")
CITIES = [
    ("350100", "福州市交通运输局", "福州市鼓楼区湖东路168号"),
    ("350200", "厦门市交通运输局", "厦门市思明区湖滨北路93号"),
    ("350500", "泉州市交通运输局", "泉州市丰泽区东海大街1号"),
]
COUNTIES = [
    ("350112", "350100", "福州市长乐区交通运输局", "福州市长乐区吴航街道郑和中路120号"),
    ("350121", "350100", "闽侯县交通运输局", "闽侯县甘蔗街道闽侯大道8号"),
    ("350212", "350200", "厦门市同安区交通运输局", "厦门市同安区大同街道环城南路268号"),
    ("350213", "350200", "厦门市翔安区交通运输局", "厦门市翔安区新店街道翔安南路9号"),
    ("350582", "350500", "晋江市交通运输局", "晋江市青阳街道世纪大道330号"),
    ("350583", "350500", "南安市交通运输局", "南安市溪美街道成功街66号"),
]
# The county of the `county` login: it has enterprises, products and a project.
DEMO_COUNTY = "350112"

# Registers the manufacturers outside 福建 (see builder): a provincial regulator may only write in its province.
MINISTRY = ("110000", "交通运输部", "北京市东城区建国门内大街11号")

# ── Sampling agencies, laboratories, construction parties ──────────────────────────────────────────────────────────
AGENCIES = [
    ("350104", "福建闽安交通工程质量抽样检测有限公司", "福州市仓山区建新镇金山大道618号"),
    ("350503", "泉州市通衢交通建设工程抽样中心有限公司", "泉州市丰泽区丰海路22号"),
]
LABORATORIES = [
    ("350111", "福建省交通建设工程材料检测中心有限公司", "福州市晋安区福新中路95号"),
    ("350206", "厦门市路桥工程材料检测有限公司", "厦门市湖里区枋湖北二路1501号"),
    ("350503", "泉州市公路工程试验检测有限公司", "泉州市丰泽区刺桐路731号"),
]
OWNERS = [
    ("350112", "福州长乐机场高速公路扩容工程建设指挥部", "福州市长乐区航城街道首占路2号"),
    ("350121", "闽侯县交通建设投资有限公司", "闽侯县上街镇乌龙江中大道5号"),
    ("350213", "厦门翔安机场快速路工程建设指挥部", "厦门市翔安区马巷街道舫山北路3号"),
    ("350212", "厦门市同安区交通建设发展有限公司", "厦门市同安区西柯街道同集南路1288号"),
    ("350582", "晋江市沿海大通道建设指挥部", "晋江市西园街道迎宾路77号"),
    ("350583", "南安市交通建设发展有限公司", "南安市柳城街道南洪路103号"),
]
SUPERVISORS = [
    ("350102", "福建省榕通交通建设工程监理有限公司", "福州市鼓楼区五四路210号"),
    ("350206", "厦门市海湾路桥工程监理咨询有限公司", "厦门市湖里区高林中路469号"),
    ("350503", "泉州市刺桐交通工程监理有限公司", "泉州市丰泽区田安南路536号"),
]
CONTRACTORS = [
    ("350104", "福建闽路桥梁工程有限公司", "福州市仓山区盖山镇齐安路802号"),
    ("350111", "福州市榕城公路工程建设有限公司", "福州市晋安区岳峰镇连江北路156号"),
    ("350211", "厦门海通路桥建设有限公司", "厦门市集美区杏林湾路488号"),
    ("350503", "泉州市交通建设工程有限公司", "泉州市丰泽区少林路300号"),
    ("350105", "福建榕达隧道工程有限公司", "福州市马尾区江滨东大道108号"),
]


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    region: str
    owner: int  # index into OWNERS
    latitude: str
    longitude: str
    # (section name, contractor index, supervisor index)
    sections: list[tuple[str, int, int]] = field(default_factory=list)


# Contractor 0 and supervisor 0 hold the `contractor` and `supervisor` logins; owner 0 the `owner` login.
PROJECTS = [
    ProjectSpec(
        "福州至长乐机场高速公路扩容工程",
        "350112",
        0,
        "25.918200",
        "119.521700",
        [("A1标", 0, 0), ("A2标", 1, 0), ("A3标", 4, 0)],
    ),
    ProjectSpec(
        "国道316线闽侯县城绕城改线工程", "350121", 1, "26.150400", "119.131600", [("A1标", 1, 0), ("A2标", 0, 0)]
    ),
    ProjectSpec(
        "厦门翔安机场快速路（一期）工程",
        "350213",
        2,
        "24.603100",
        "118.246800",
        [("A1标", 2, 1), ("A2标", 0, 1), ("A3标", 2, 1)],
    ),
    ProjectSpec("国道324线同安段改线工程", "350212", 3, "24.729600", "118.152300", [("A1标", 2, 1), ("A2标", 3, 1)]),
    ProjectSpec(
        "晋江至南安沿海大通道（晋江段）工程", "350582", 4, "24.781700", "118.552000", [("A1标", 3, 2), ("A2标", 0, 2)]
    ),
    ProjectSpec("省道307线南安段改扩建工程", "350583", 5, "24.960300", "118.386100", [("A1标", 3, 2), ("A2标", 4, 2)]),
]


# ── Enterprises ────────────────────────────────────────────────────────────────────────────────────────────────────
ENTERPRISE_COUNT = 300
OUTSIDE_SHARE = 0.25  # manufacturers of steel strand, bearings etc. are often outside 福建

# 字号 (trade names): invented two-character names; the local-flavoured ones only for makers in 福建.
TRADE_NAMES = (
    "宏达 恒信 鑫源 华泰 永固 坤元 路安 中业 天成 金桥 瑞丰 德润 海鑫 盛达 兴业 嘉联 长盛 顺航 东辰 融信 "
    "立泰 安捷 新纪 博远 启航 宏远 通达 正源 荣升 隆安 建华 弘毅 泰和 联诚 锦程 鼎盛 汇丰 恒泰 丰源 宝路 "
    "固安 利通 裕丰 宏基 诚达 旭升 高捷 龙腾 华建 振华 兆丰 明远 远航 铭泰 润达 开元 新航 合力 同舟 聚力 "
    "力拓 金鼎 万通 信达 宏图 晟达 骏达 畅通 永安 坚石 久固 安达 天宇 恒基 金盾 鑫泰 瑞通 广通 国泰 协力 "
    "佳通 源泰 泰丰 华宇 永鑫 通衢 康路"
).split()
FUJIAN_TRADE_NAMES = "闽通 华闽 榕兴 鹭通 刺桐 海峡 武夷 闽江 九龙 晋泰 南星 榕达 鹭江 清源 八闽".split()
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司", "集团有限公司")
STREETS = (
    "工业路",
    "创业大道",
    "科技园路",
    "兴业路",
    "经济开发区纬一路",
    "工业园区经二路",
    "滨海大道",
    "金山工业区",
    "开发区长江路",
    "高新区创新路",
    "物流园区港湾路",
    "新材料产业园",
    "机电产业园",
    "民营科技园",
)

# ── Logins ─────────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LoginSpec:
    username: str
    display_name: str
    roles: tuple[str, ...]
    organisation: str  # key of the organisation in the builder


LOGINS = [
    LoginSpec("regulator", "林建华", ("regulator_officer", "regulator_admin"), "province"),
    # A second admin of the province: plans need approval by someone other than their drafter (`regulator`).
    LoginSpec("regulator2", "郭永平", ("regulator_admin",), "province"),
    LoginSpec("county", "陈志强", ("regulator_officer",), "county"),
    # 晋江's officer: the demo's earlier cases against makers there are his, as is the review of a credit repair.
    LoginSpec("jinjiang", "施明辉", ("regulator_officer",), "350582"),
    LoginSpec("sampler1", "黄文斌", ("sampler",), "agency1"),
    LoginSpec("sampler2", "吴思远", ("sampler",), "agency1"),
    # Inspector draws pick two samplers per task, never ones who sampled the same enterprise recently.
    LoginSpec("sampler3", "高志明", ("sampler",), "agency1"),
    LoginSpec("sampler4", "魏晓东", ("sampler",), "agency1"),
    LoginSpec("sampler5", "叶静怡", ("sampler",), "agency1"),
    LoginSpec("intake", "郑丽娟", ("lab_intake",), "lab1"),
    LoginSpec("tester", "王海涛", ("tester",), "lab1"),
    LoginSpec("reviewer", "刘秀英", ("reviewer",), "lab1"),
    LoginSpec("approver", "张国栋", ("approver",), "lab1"),
    # Staff of the other two laboratories, one of which a draw picks to re-test the backup portion (复检).
    LoginSpec("intake2", "何雅琴", ("lab_intake",), "lab2"),
    LoginSpec("tester2", "邱建新", ("tester",), "lab2"),
    LoginSpec("reviewer2", "罗晓燕", ("reviewer",), "lab2"),
    LoginSpec("approver2", "谢永强", ("approver",), "lab2"),
    LoginSpec("intake3", "沈丽华", ("lab_intake",), "lab3"),
    LoginSpec("tester3", "韩志刚", ("tester",), "lab3"),
    LoginSpec("reviewer3", "唐美玲", ("reviewer",), "lab3"),
    LoginSpec("approver3", "冯德明", ("approver",), "lab3"),
    LoginSpec("owner", "李明辉", ("owner_staff",), "owner"),
    LoginSpec("supervisor", "周振宇", ("supervisor_staff",), "supervisor"),
    LoginSpec("contractor", "许建国", ("contractor_staff",), "contractor"),
    LoginSpec("manufacturer", "蔡志坚", ("enterprise_staff",), "manufacturer"),
    LoginSpec("auditor", "杨慧敏", ("auditor",), "province"),
]
# Holds the out-of-province registrations; inactive, so it cannot sign in.
REGISTRAR = LoginSpec("demo_registrar", "演示数据登记（部级）", ("regulator_officer",), "ministry")

DELIVERY_COUNT = 100
