"""Invented news stories for the bundled demo site (the data behind ``build.py``).

Every story here is fictional and was written for this project: the places
(江城, Harbor City), outlets, people and numbers are made up, so the demo site
can be shipped, crawled and republished in tests without copying anyone's text.
Keeping the text apart from the HTML templates lets the generator render the same
story in different CMS chromes (the duplicate republication reuses a portal story).

A body is a list of blocks: a plain string is a paragraph; tuples are
``("h", text)`` subheading, ``("list", [items])``, ``("quote", text)`` and
``("img", name, caption)`` a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Block = str | tuple


@dataclass(frozen=True)
class Story:
    """One article: enough to render any of the three styles."""

    key: str
    title: str
    published: str  # local wall-clock time "YYYY-MM-DD HH:MM:SS"
    offset: str  # UTC offset of the page's time zone, "+08:00" / "-05:00"
    category: str
    body: list[Block]
    spam_prefix: str = ""
    author: str = ""
    source: str = ""
    editor: str = ""
    original_title: str = ""
    views: int = 0
    comments: int = 0
    tags: list[str] = field(default_factory=list)
    slug: str = ""
    extra: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Style "zblog": 资讯快报, a Z-BlogPHP content site (the seed page's site).
# Keys are post ids; /post/1987.html is the seed page itself, copied verbatim.
# ---------------------------------------------------------------------------

SEED_ZBLOG = Story(
    key="1987",
    title="OpenAI大腿又被挖,Meta如此豪賭究竟圖什麽?",
    spam_prefix="老虎機:",
    published="2025-07-17 07:13:09",
    offset="+08:00",
    category="9",
    # Only used for listing intros and the feed: the page itself is the verbatim seed.
    body=[
        "“我希望曏我滙報的人數最少,而GPU數量最多。” Meta"
        " CEO紥尅伯格在最新採訪中說,這是那些頂級AI研究員開出的“理想工作條件”。"
    ],
    comments=1,
)

ZBLOG: list[Story] = [
    Story(
        key="1900",
        spam_prefix="老虎機:",
        title="本市智慧停车平台上线满月 接入泊位超过三万个",
        published="2025-05-20 10:05:12",
        offset="+08:00",
        category="9",
        comments=3,
        body=[
            "本市智慧停车平台上线运行满一个月。平台运营方介绍，目前已接入公共停车场和道路泊位三万一千余个，覆盖主城"
            "区的大部分商圈和医院周边。",
            "市民通过手机即可查询附近空余泊位，并在离场时自动缴费。运营方称，高峰时段商圈周边的平均找位时间由原来的"
            "十二分钟缩短到六分钟左右。",
            ("img", "parking-map", "智慧停车平台的泊位热力图（示意）"),
            "平台还向停车场经营者开放了数据接口，方便其根据实时占用率调整收费标准和开放时段。",
            "交通管理部门表示，下一步将把老旧小区周边的夜间共享泊位纳入平台，缓解居民夜间停车难的问题。",
        ],
    ),
    Story(
        key="1901",
        spam_prefix="老虎機:",
        title="工业机器人企业加速布局中小工厂 租赁模式受欢迎",
        published="2025-05-22 14:30:00",
        offset="+08:00",
        category="9",
        comments=0,
        body=[
            "过去几年，工业机器人主要服务于汽车、电子等大型制造企业。记者近日走访发现，越来越多的机器人企业开始把目"
            "光投向员工不足百人的中小工厂。",
            "与动辄数十万元的一次性采购相比，按月付费的租赁模式降低了门槛。一家五金加工厂负责人说，租用两台焊接机器"
            "人后，夜班人手紧张的问题得到缓解。",
            ("h", "从“买设备”到“买服务”"),
            "业内人士分析，租赁模式的关键在于售后。厂商需要提供远程运维、快速换件和操作培训，否则设备停机带来的损失"
            "会抵消成本优势。",
            ("list", ["月租金通常覆盖维护和软件升级费用；", "合同期一般为一到三年；", "部分厂商允许期满后折价买断。"]),
            "也有企业主表示，机器人更适合批量稳定的工序，小批量多品种的订单仍离不开熟练工人。",
        ],
    ),
    Story(
        key="1902",
        title="智能眼镜新品扎堆 厂商押注翻译和导航功能",
        published="2025-05-25 09:18:40",
        offset="+08:00",
        category="9",
        comments=2,
        body=[
            "多家消费电子厂商近期密集发布智能眼镜新品。与早期产品主打拍照不同，新一代产品更强调实时翻译、步行导航和"
            "会议记录等功能。",
            "一位参与产品设计的工程师介绍，续航和重量仍是最大的难题，目前主流产品的重量控制在五十克以内，连续使用时"
            "间约为四到六个小时。",
            "分析人士认为，智能眼镜能否走进日常生活，取决于应用生态是否丰富，以及用户对隐私问题的接受程度。",
        ],
    ),
    Story(
        key="1950",
        spam_prefix="老虎機:",
        title="大模型推理成本一年下降九成 开发者迎来“低价时代”",
        published="2025-06-10 08:45:00",
        offset="+08:00",
        category="9",
        comments=5,
        body=[
            "据多家云服务商公布的价格表，过去一年间大模型推理接口的单价普遍下调，部分型号的降幅接近九成。",
            "价格下降带动了应用开发的热情。一家做客服软件的创业公司负责人表示，过去每月接口费用占到成本的三成，如今"
            "已降到不足一成。",
            ("h", "降价从何而来"),
            "业内人士将降价归因于三方面：",
            ("list", ["推理芯片和集群调度效率提升；", "模型压缩和量化技术逐渐成熟；", "厂商之间的竞争加剧。"]),
            "不过也有观点提醒，低价并不意味着没有门槛，数据安全、效果评估和长期稳定性仍是企业选型时需要重点考虑的因"
            "素。",
            ("img", "price-chart", "部分推理接口单价变化示意图"),
            "有开发者建议，企业在享受降价红利的同时，应避免对单一供应商形成过度依赖。",
        ],
    ),
    Story(
        key="1951",
        title="夏季用电高峰将至 电网企业提前启动负荷预警",
        published="2025-06-12 16:20:05",
        offset="+08:00",
        category="9",
        comments=0,
        body=[
            "随着气温逐步升高，本地电网企业近日提前启动迎峰度夏负荷预警机制，对重点线路和变电站开展巡检。",
            "电网企业预计，今年夏季最高用电负荷可能比去年增长约百分之六。为此，今年新增了两座储能电站，可在用电高峰"
            "时段集中放电。",
            "供电部门提醒市民，空调温度设定在二十六度左右既舒适又节能，外出时应及时关闭不必要的电器。",
            "对于工业用户，电网企业将继续推行错峰用电激励政策，鼓励企业把部分高耗能工序安排到夜间进行。",
        ],
    ),
    Story(
        key="1952",
        spam_prefix="老虎機:",
        title="新能源汽车下乡活动启动 县域充电桩建设提速",
        published="2025-06-15 11:02:33",
        offset="+08:00",
        category="9",
        comments=1,
        body=[
            "今年的新能源汽车下乡活动日前在本省启动，首站活动吸引了周边多个县区的居民前来看车试驾。",
            "与往年相比，今年活动更加重视补能配套。主办方介绍，全省县域公共充电桩数量较去年同期增长了四成，多数乡镇"
            "已实现充电站全覆盖。",
            ("img", "county-charging", "乡镇充电站（示意图）"),
            "不少前来看车的居民关心冬季续航和电池保修问题。多家车企现场承诺，电池质保期延长至八年或十六万公里。",
            "业内人士认为，县域市场潜力较大，但充电设施的运营维护和电网承载能力仍需持续投入。",
        ],
    ),
    Story(
        key="1986",
        spam_prefix="老虎機:",
        title="量子计算实验室公布新进展 纠错后逻辑比特寿命明显提升",
        published="2025-07-16 21:40:10",
        offset="+08:00",
        category="9",
        comments=0,
        body=[
            "某高校量子计算实验室近日发布研究进展称，团队在一台中等规模的超导量子处理器上实现了改进的纠错编码，逻辑"
            "比特的寿命比物理比特延长了一倍以上。",
            "研究负责人解释，量子比特非常脆弱，容易受到环境噪声干扰。纠错的思路是用多个物理比特共同编码一个逻辑比特"
            "，从而发现并修正错误。",
            ("quote", "这只是走向实用化的一小步，距离能解决实际问题的容错量子计算机还有很长的路。"),
            "团队表示，下一步将扩大编码规模，并与材料研究人员合作，降低芯片本身的噪声水平。",
        ],
    ),
    Story(
        key="1988",
        title="高温天气持续 多地发布橙色预警",
        published="2025-07-17 15:25:00",
        offset="+08:00",
        category="9",
        comments=4,
        body=[
            "受副热带高压影响，本周以来本省大部分地区持续高温，多个市县气象台发布高温橙色预警信号。",
            "气象部门预计，未来三天最高气温将维持在三十七度到三十九度之间，局部地区可能达到四十度。",
            ("h", "防暑提示"),
            (
                "list",
                [
                    "午后尽量减少户外活动；",
                    "户外作业人员应缩短连续工作时间；",
                    "注意老人、儿童和慢性病患者的防暑降温。",
                ],
            ),
            "电力部门表示，已做好高峰负荷应对准备，目前全省电网运行平稳。",
            "气象专家提醒，高温期间午后易出现局地雷阵雨，出行时应关注最新天气预报。",
        ],
    ),
    Story(
        key="1989",
        spam_prefix="老虎機:",
        title="校园编程夏令营开营 千余名中学生报名参加",
        published="2025-07-18 09:00:00",
        offset="+08:00",
        category="9",
        comments=2,
        body=[
            "为期两周的中学生编程夏令营日前在市青少年活动中心开营，今年共有一千二百余名学生报名，比去年增加近三成。",
            "夏令营设置了图形化编程、机器人控制和数据分析三个方向，由高校志愿者和中学信息技术教师共同授课。",
            ("img", "summer-camp", "学生们在夏令营中调试小车程序"),
            "组织方介绍，课程以项目为主，每个小组需要在结营前完成一个解决身边问题的小作品，例如教室用电提醒器和校园"
            "植物浇水装置。",
            "一名参加过去年活动的学生说，在夏令营里最大的收获是学会了和队友分工合作。",
        ],
    ),
    Story(
        key="1990",
        title="低空物流试点航线扩容 无人机配送范围延伸至郊区",
        published="2025-07-19 10:30:45",
        offset="+08:00",
        category="9",
        comments=0,
        body=[
            "本市低空物流试点日前新增六条无人机配送航线，配送范围由中心城区延伸至东部和南部郊区。",
            "运营企业介绍，新航线主要承担生鲜和药品的短途配送，单程距离在十五公里以内，平均送达时间约为二十分钟。",
            "为保障飞行安全，每条航线都经过空域评估，并在起降点设置了围栏和专人值守。遇到大风、雷雨等天气时，系统会"
            "自动暂停飞行。",
            "有郊区居民表示，过去买药需要开车进城，现在下单后半小时内就能收到，十分方便。",
            "相关部门表示，将根据试点情况逐步完善低空飞行管理规则。",
        ],
    ),
]

# ---------------------------------------------------------------------------
# Style "portal": 江城新闻网, a big-portal style article page.
# ---------------------------------------------------------------------------

PORTAL_CHANNELS: dict[str, str] = {"guonei": "国内", "shehui": "社会", "keji": "科技", "tiyu": "体育", "difang": "地方"}

PORTAL: list[Story] = [
    Story(
        key="guonei/20240305/a10001",
        title="多地公布年度民生实事项目 养老托育成关注重点",
        original_title="今年的民生账本里，“一老一小”分量更重了",
        published="2024-03-05 09:12:33",
        offset="+08:00",
        category="guonei",
        source="江城日报",
        author="陈立",
        editor="王芳",
        views=3521,
        extra={"date_format": "iso"},
        body=[
            "进入三月，多个城市陆续公布今年的民生实事项目清单。记者梳理发现，养老服务和婴幼儿托育成为各地清单中出现"
            "频率最高的内容。",
            "以江城为例，今年计划新建社区养老服务站四十个、普惠托育机构二十家，并为三千户困难老年人家庭开展适老化改"
            "造。",
            ("h", "从“有没有”到“好不好”"),
            "有专家指出，随着基础设施逐步完善，民生项目的重点正在从数量转向质量，例如服务人员的培训和机构的日常监管。",
            "不少市民表示，希望项目能够及时公开进展，让大家看得见、评得上。",
        ],
    ),
    Story(
        key="shehui/20240306/a10002",
        title="江城地铁5号线开通运营 首日客流超12万人次",
        published="2024-03-06 10:20:00",
        offset="+08:00",
        category="shehui",
        source="江城晚报",
        author="周一鸣",
        editor="刘洋",
        views=12876,
        extra={"date_format": "gb"},
        body=[
            "3月5日上午，江城地铁5号线正式开通初期运营。据运营公司统计，开通首日全线客流超过12万人次。",
            "5号线全长约28公里，共设车站21座，串联起城东新区、老城区和高铁站，其中有6座换乘站。",
            ("img", "metro-line5", "地铁5号线列车驶入站台"),
            "首日乘车的市民王女士说，以前从家到高铁站需要换乘两次公交，现在坐地铁只要35分钟。",
            "运营公司提醒，开通初期将根据客流情况动态调整行车间隔，早晚高峰期间最小间隔为4分钟。",
            "据悉，5号线二期工程已进入前期研究阶段，建成后将延伸至城北科技园。",
        ],
    ),
    Story(
        key="keji/20240308/a10003",
        title="本地高校团队研发新型钠离子电池 低温性能明显提升",
        original_title="零下二十度还能跑！这块电池有点“抗冻”",
        published="2024-03-08 14:05:10",
        offset="+08:00",
        category="keji",
        source="滨海科技报",
        author="林晓",
        editor="赵敏",
        views=2288,
        extra={"date_format": "iso"},
        body=[
            "江城理工大学材料学院一个研究团队日前宣布，他们研发的一种新型钠离子电池在零下二十摄氏度环境中仍能保持约"
            "八成的容量。",
            "团队负责人介绍，钠资源储量丰富、价格较低，但钠离子电池的低温表现一直是短板。团队通过改进电解液配方，提"
            "高了离子在低温下的迁移速度。",
            (
                "list",
                [
                    "常温下循环两千次后容量保持率约为九成；",
                    "快充十五分钟可充至八成电量；",
                    "目前仍处于实验室小批量试制阶段。",
                ],
            ),
            "业内人士认为，这类电池未来有望用于储能电站和低速电动车，但距离大规模量产还需解决成本和一致性问题。",
        ],
    ),
    Story(
        key="tiyu/20240310/a10004",
        title="江城马拉松鸣枪开跑 三万名跑者穿越城市中轴线",
        published="2024-03-10 07:30:00",
        offset="+08:00",
        category="tiyu",
        source="江城晚报",
        author="马骁",
        editor="刘洋",
        views=8640,
        extra={"date_format": "gb"},
        body=[
            "3月10日清晨，2024江城马拉松在市民广场鸣枪开跑，来自国内外的三万名跑者参加了全程、半程和健康跑三个项目。",
            "今年赛道首次经过新建成的滨江大桥，沿途设置了二十个补给站和十二个医疗点。",
            "最终，男子全程冠军成绩为2小时12分05秒，女子全程冠军成绩为2小时29分41秒。",
            ("img", "marathon-bridge", "跑者们经过滨江大桥"),
            "赛事组委会表示，今年共有两千多名志愿者参与服务，比赛期间未发生严重医疗事件。",
        ],
    ),
    Story(
        key="shehui/20240312/a10005",
        title="春季植树活动启动 市民认领树苗两千余株",
        published="2024-03-12 16:45:00",
        offset="+08:00",
        category="shehui",
        source="江城日报",
        author="吴桐",
        editor="王芳",
        views=1530,
        extra={"date_format": "gb", "br_paragraphs": "1"},
        body=[
            "3月12日，江城今年的春季义务植树活动在城南郊野公园启动，两千多名市民和志愿者参加。",
            "活动现场准备了银杏、香樟、桂花等十余个品种的树苗，市民可以通过线上平台认领并为树苗挂上名牌。",
            "园林部门工作人员现场讲解了挖坑、扶正、培土和浇水的要点，不少家长带着孩子一起参与。",
            "据介绍，今年全市计划新增绿地一百二十公顷，建设口袋公园三十个。",
        ],
    ),
    Story(
        key="guonei/20240315/a10006",
        title="气象部门：今年春季降水偏多 需防范强对流天气",
        published="2024-03-15 11:00:00",
        offset="+08:00",
        category="guonei",
        source="本网综合",
        author="",
        editor="赵敏",
        views=4102,
        extra={"date_format": "iso"},
        body=[
            "气象部门日前发布春季气候趋势预测，预计今年春季南方大部分地区降水偏多，气温接近常年同期。",
            "预报员提示，春季冷暖空气交汇频繁，雷暴大风、冰雹等强对流天气可能多发，农业生产和户外活动需提前做好防范。",
            ("h", "农事建议"),
            ("list", ["及时清沟排水，防止田间积水；", "关注天气预报，合理安排播种时间；", "加固大棚等农业设施。"]),
            "气象部门表示，将滚动更新预报预警信息，并通过短信和广播及时发布。",
        ],
    ),
    Story(
        key="keji/20240318/a10007",
        title="市图书馆上线智能借阅柜 实现24小时自助借还",
        published="2024-03-18 09:40:25",
        offset="+08:00",
        category="keji",
        source="江城晚报",
        author="周一鸣",
        editor="刘洋",
        views=960,
        extra={"date_format": "gb"},
        body=[
            "市图书馆近日在十个社区投放智能借阅柜，市民刷读者证或身份证即可全天候借还图书。",
            "每个借阅柜可存放图书三百余册，馆员会根据借阅数据定期更换书目，热门的儿童绘本和生活类图书更新最快。",
            "图书馆负责人表示，借阅柜与总馆系统实时联通，读者也可以在网上预约总馆图书，由工作人员配送到指定柜点。",
        ],
    ),
    Story(
        key="difang/20240320/a10008",
        title="老旧小区改造提速 今年计划完成86个",
        original_title="加装电梯、改造管网，这86个小区今年要“焕新”",
        published="2024-03-20 15:18:00",
        offset="+08:00",
        category="difang",
        source="江城日报",
        author="陈立",
        editor="王芳",
        views=2755,
        extra={"date_format": "iso"},
        body=[
            "记者从市住建部门获悉，今年全市计划完成老旧小区改造86个，涉及居民约两万户。",
            "改造内容包括雨污分流、屋面防水、加装电梯和增设充电设施等。每个小区的具体方案将通过居民议事会征求意见后"
            "确定。",
            ("img", "old-community", "改造完成后的小区一角"),
            "住建部门表示，施工期间将尽量减少对居民出行的影响，并设立现场联系人，及时回应居民诉求。",
            "去年完成改造的一个小区居民说，加装电梯后，住在六楼的老人终于可以经常下楼散步了。",
        ],
    ),
    Story(
        key="tiyu/20240323/a10009",
        title="市青少年足球联赛开幕 百余支球队参赛",
        published="2024-03-23 10:00:00",
        offset="+08:00",
        category="tiyu",
        source="江城体育",
        author="马骁",
        editor="赵敏",
        views=1877,
        extra={"date_format": "gb"},
        body=[
            "2024年江城市青少年足球联赛日前开幕，来自全市中小学和俱乐部的一百零八支球队将在未来三个月内进行近五百场"
            "比赛。",
            "今年联赛按年龄分为五个组别，并首次设立女子初中组。比赛安排在周末进行，以减少对学生学习的影响。",
            "市体育部门表示，联赛的目的是让更多孩子有机会参加正式比赛，同时为青训教练提供交流平台。",
            "开幕式后进行的揭幕战中，两支小学队伍以二比二战平。",
        ],
    ),
    Story(
        key="shehui/20240326/a10010",
        title="“一网通办”推出新版本 120项业务可掌上办理",
        published="2024-03-26 08:55:00",
        offset="+08:00",
        category="shehui",
        source="江城日报",
        author="吴桐",
        editor="刘洋",
        views=5230,
        extra={"date_format": "iso"},
        body=[
            "江城政务服务平台“一网通办”近日上线新版本，可在手机上办理的业务增加到120项，覆盖社保、公积金、户籍和不动"
            "产登记等领域。",
            "新版本优化了身份认证流程，常用业务的填表项平均减少了三分之一。对于需要提交材料的事项，系统会自动调取已"
            "有的电子证照。",
            ("h", "老年人也能用"),
            "平台还推出了大字版和语音导办功能，并在社区服务中心设置帮办窗口，为不熟悉智能手机的老年人提供帮助。",
            "政务服务部门表示，将持续收集用户反馈，逐步把更多高频事项搬到线上。",
        ],
    ),
]

# The portal story republished under a second URL with a slightly different chrome.
PORTAL_DUPLICATE_OF = "shehui/20240306/a10002"

# ---------------------------------------------------------------------------
# Style "wordpress": The Harbor City Chronicle, an English WordPress news blog.
# Times are America/New_York: -04:00 until 2024-11-03, -05:00 after.
# ---------------------------------------------------------------------------

WORDPRESS: list[Story] = [
    Story(
        key="2024/10/14/council-approves-riverside-park-budget",
        title="City Council Approves Budget for New Riverside Park",
        published="2024-10-14 08:30:00",
        offset="-04:00",
        category="City Hall",
        author="Jane Doe",
        comments=3,
        tags=["city council", "parks"],
        body=[
            "The Harbor City Council voted 7-2 on Monday night to approve funding for a new park along the east bank"
            " of the"
            " Millbrook River, ending more than a year of debate over the former rail yard site.",
            "The plan sets aside $4.2 million for walking paths, a playground, a small boat launch and native plantings"
            " designed to absorb stormwater during heavy rain.",
            ("img", "riverside-park", "A rendering of the planned riverside park, looking north from Mill Street."),
            "Council member Rosa Whitfield, who represents the neighborhood, said residents had asked for green"
            " space for"
            ' years. "This is the first time the east side gets a park it can walk to," she said.',
            "The two members who voted against the measure said they supported the park but wanted a clearer"
            " estimate of"
            " yearly maintenance costs before committing.",
            "Construction is expected to begin next spring, with the first section opening in the fall of 2025.",
        ],
    ),
    Story(
        key="2024/10/22/storm-system-heavy-rain-weekend",
        title="Storm System Expected to Bring Heavy Rain This Weekend",
        published="2024-10-22 16:10:00",
        offset="-04:00",
        category="Weather",
        author="Marcus Lee",
        comments=0,
        tags=["weather", "rain"],
        body=[
            "A slow-moving storm system is expected to bring two to four inches of rain to the Harbor City area between"
            " Friday evening and Sunday morning, forecasters said Tuesday.",
            "The heaviest rain is likely overnight Saturday, when gusts along the shore could reach 40 miles per hour.",
            ("h", "How to prepare"),
            (
                "list",
                [
                    "Clear leaves from storm drains near your home.",
                    "Avoid driving through flooded roads; turn around instead.",
                    "Secure patio furniture and trash bins.",
                ],
            ),
            "The city's public works department said crews would check pumping stations in low-lying neighborhoods"
            " before the storm arrives.",
        ],
    ),
    Story(
        key="2024/10/30/startup-unveils-low-cost-water-sensor",
        title="Local Startup Unveils Low-Cost Water Quality Sensor",
        published="2024-10-30 11:45:00",
        offset="-04:00",
        category="Technology",
        author="Priya Nair",
        comments=5,
        tags=["startups", "environment"],
        body=[
            "A four-person startup based in the Dockside Innovation Center has built a water quality sensor that it"
            " says"
            " costs about a tenth as much as the devices most towns use today.",
            "The palm-sized sensor measures temperature, acidity and cloudiness every fifteen minutes and sends the"
            " readings over a low-power radio network.",
            "Co-founder Elena Brooks said the idea came from volunteering with a river cleanup group that could only"
            " afford"
            " to take samples once a month.",
            ("img", "water-sensor", "The sensor, shown here next to a coffee mug for scale."),
            "Two nearby towns have agreed to test twenty of the sensors next year. The company is also publishing its"
            " calibration data so that researchers can check the readings.",
        ],
    ),
    Story(
        key="2024/11/04/hawks-clinch-division-title-overtime",
        title="Harbor City Hawks Clinch Division Title in Overtime Thriller",
        published="2024-11-04 07:15:00",
        offset="-05:00",
        category="Sports",
        author="Tom Alvarez",
        comments=12,
        tags=["hockey", "hawks"],
        body=[
            "The Harbor City Hawks clinched their first division title in six seasons on Sunday night, beating the"
            " Lakeport Otters 3-2 in overtime before a sold-out crowd.",
            "Defenseman Luis Ortega scored the winner two minutes into the extra period, firing a wrist shot through"
            " traffic from the blue line.",
            "Goaltender Sam Kowalski made 34 saves, including a sprawling stop in the final minute of regulation.",
            '"We talked all year about playing a full sixty minutes," head coach Dana Reyes said. "Tonight we played'
            ' sixty-two."',
            "The Hawks open the playoffs at home next Friday.",
        ],
    ),
    Story(
        key="2024/11/12/library-extends-weekend-hours",
        title="Public Library Extends Weekend Hours After Community Survey",
        published="2024-11-12 09:00:00",
        offset="-05:00",
        category="Community",
        author="Jane Doe",
        comments=1,
        tags=["library"],
        body=[
            "The Harbor City Public Library will stay open until 8 p.m. on Saturdays and open at noon on Sundays"
            " starting in December, following a survey in which more than 2,000 residents took part.",
            "Weekend hours were the most common request, ahead of more study rooms and a larger collection of"
            " audiobooks.",
            "Library director Harold Kim said the change would be paid for by shifting staff schedules rather than"
            " hiring, and that weekday evening hours would not change.",
        ],
    ),
    Story(
        key="2024/11/19/researchers-track-migratory-birds-solar-tags",
        title="Researchers Track Migratory Birds With Solar-Powered Tags",
        published="2024-11-19 13:30:00",
        offset="-05:00",
        category="Science",
        author="Priya Nair",
        comments=2,
        tags=["science", "birds"],
        body=[
            "Biologists at Harbor State University have fitted thirty shorebirds with tiny solar-powered tracking tags,"
            " hoping to learn where the birds rest during their autumn migration south.",
            "Each tag weighs less than two grams, about the weight of a paperclip, and reports its position several"
            " times"
            " a day.",
            ("h", "Early results"),
            "Within the first month, the tags showed that several birds stopped for more than a week at a small marsh"
            " that had not been considered an important stopover.",
            ("img", "shorebird-tag", "A semipalmated plover fitted with a solar tag before release."),
            "The team plans to share the data with land trusts that are deciding which wetlands to protect.",
            '"Every stopover matters," said project lead Dr. Amara Osei. "If one disappears, the whole journey gets'
            ' harder."',
        ],
    ),
    Story(
        key="2024/12/02/first-snowfall-closes-schools-early",
        title="First Snowfall of the Season Closes Schools Early",
        published="2024-12-02 14:20:00",
        offset="-05:00",
        category="Weather",
        author="Marcus Lee",
        comments=6,
        tags=["weather", "snow", "schools"],
        body=[
            "Harbor City schools dismissed students two hours early on Monday as the season's first snowfall arrived"
            " faster than expected.",
            "About three inches fell across the city by late afternoon, with higher totals in the hills west of town.",
            "Plows were out on main roads by noon, and the city said side streets would be cleared overnight.",
            "Forecasters expect dry, cold weather for the rest of the week.",
        ],
    ),
    Story(
        key="2024/12/10/transit-tests-contactless-fares",
        title="Transit Authority Tests Contactless Fare System on Bus Routes",
        published="2024-12-10 10:05:00",
        offset="-05:00",
        category="Transportation",
        author="Jane Doe",
        comments=4,
        tags=["transit", "buses"],
        body=[
            "Riders on three Harbor City bus routes can now pay their fare by tapping a bank card or phone, as the"
            " regional transit authority begins a six-month trial of contactless payment.",
            "The authority said the system caps daily fares automatically, so riders never pay more than the price of a"
            " day pass.",
            (
                "list",
                [
                    "Routes 4, 11 and 23 are part of the trial.",
                    "Paper tickets and fare cards remain valid.",
                    "Riders can check their trips online with the card's last four digits.",
                ],
            ),
            "If the trial goes well, contactless payment will be added to all routes by the end of next year.",
        ],
    ),
    Story(
        key="2024/12/18/robotics-team-heads-to-nationals",
        title="High School Robotics Team Heads to National Finals",
        published="2024-12-18 17:00:00",
        offset="-05:00",
        category="Education",
        author="Tom Alvarez",
        comments=0,
        tags=["education", "robotics"],
        body=[
            "A robotics team from Eastside High School has qualified for the national finals after winning the regional"
            " championship with a robot that sorts recyclables.",
            "The twelve students spent four months designing the robot, which uses a camera and a simple learning model"
            " to tell plastic bottles from aluminum cans.",
            ("img", "robotics-team", "Eastside High's robotics team with their sorting robot."),
            "The team is raising money to cover travel costs to the finals in March. Local businesses have already"
            " pledged about half of the amount needed.",
        ],
    ),
    Story(
        key="2025/01/08/council-debates-short-term-rental-rules",
        title="Council Debates Short-Term Rental Rules After Packed Hearing",
        published="2025-01-08 21:40:00",
        offset="-05:00",
        category="City Hall",
        author="Jane Doe",
        comments=9,
        tags=["city council", "housing"],
        body=[
            "More than 150 residents filled the council chamber on Wednesday evening for a public hearing on proposed"
            " rules for short-term rentals.",
            "The proposal would require hosts to register with the city, limit rentals to a host's primary residence"
            " and"
            " set a cap of 120 rental nights a year.",
            "Supporters said the rules would ease pressure on the housing market. Some hosts said the income helped"
            " them"
            " afford their mortgages and asked for a higher cap.",
            "Council president Michael Tran said the council would consider amendments before a final vote in"
            " February.",
        ],
    ),
]
