"""What people say happened, per taxonomy subcategory: the cores of the simulated reports.

Written for the simulator, not taken from the classifier's seed phrases or its evaluation set, so that classifying
simulated events is honest work. Alternatives are separated by ``|``; slots are filled by ``texts.compose``:
{a} {b} the parties, {rel} how b stands to a (丈夫, 邻居 …), {amt} an amount in yuan, {months} {days} {years} {n}
durations and counts, {place} a spot (road, estate, village), {ent} an enterprise, {floor} a floor, {plate} a
vehicle plate.
"""

from __future__ import annotations

CORES: dict[str, str] = {
    # 婚姻家庭
    "marriage_family.divorce": "{a}与{rel}{b}结婚{years}年，近来感情不和分居两地，{a}想协议离婚但{b}一直不肯签字"
    "|{a}称{rel}{b}常年在外不顾家，双方为离不离婚的事闹得很僵，想请人居中说和"
    "|{a}和{b}为离婚条件谈不拢，{b}要求分走大部分存款",
    "marriage_family.child_custody": "{a}与{b}离婚后孩子归{a}抚养，{b}上周把孩子从学校接走至今不送回"
    "|{a}和前妻{b}都想要孩子，两人为抚养权和探望时间反复争吵",
    "marriage_family.child_support": "{a}反映前夫{b}已有{months}个月没付孩子的抚养费，约{amt}元，电话也不接"
    "|{a}要求{b}按离婚协议每月支付抚养费，{b}称没有收入拒绝支付",
    "marriage_family.elderly_support": "{a}年过八旬，{n}个子女互相推诿，谁都不愿意接老人同住和出生活费"
    "|{a}反映儿子{b}不给赡养费，老人看病的{amt}元医药费无人承担",
    "marriage_family.inheritance": "{a}的父亲去世后留下{place}一套房子，兄妹{n}人对如何分配意见不一"
    "|{a}称叔叔{b}占着爷爷留下的{amt}元存款不肯拿出来分",
    "marriage_family.domestic_abuse": "{a}称丈夫{b}昨晚酒后动手打人，手臂和脸上有伤，现在不敢回家"
    "|{a}长期被{rel}{b}殴打辱骂，请求帮助并申请人身安全保护令",
    "marriage_family.marital_property": "{a}与{b}闹离婚，{b}偷偷把共同存款{amt}元转到了亲戚名下"
    "|{a}和{b}为婚后在{place}买的房子归谁争执不下",
    "marriage_family.betrothal_gift": "{a}家儿子与{b}家女儿订婚时给了彩礼{amt}元，如今婚事取消，女方只肯退一半"
    "|两家解除婚约后为彩礼和三金是否退还吵到村里",
    "marriage_family.cohabitation": "{a}与{b}同居{years}年未登记结婚，分手时为一起买的车和存款怎么分发生争执"
    "|{a}与同居男友{b}分开，对方拿走了两人合买的家电不还",
    "marriage_family.family_conflict": "{a}和儿媳{b}因为带孩子的事天天吵架，家里气氛很紧张"
    "|{a}兄弟俩为老宅前的晒谷场归谁用闹翻，已经几个月不说话",
    "marriage_family.elder_abuse": "邻居反映{place}一位独居老人{a}被儿子{b}关在屋里，经常听到老人哭喊"
    "|{a}老人称子女{b}把他赶出家门，现在住在村口的杂物间",
    "marriage_family.child_neglect": "{place}有个小孩父母都在外地打工，只有年迈的奶奶照看，孩子经常饿肚子不去上学"
    "|{a}反映邻居家孩子长期无人看管，晚上一个人在外面游荡",
    "marriage_family.missing_family": "{a}的{rel}{b}前天和家人吵架后离家出走，手机关机至今联系不上"
    "|{a}称上初中的儿子{b}{days}天前离家后一直没回来，家里人很着急",
    "marriage_family.mental_illness": "{a}的{rel}{b}患有精神疾病，最近不肯吃药，在家摔东西，家人管不住"
    "|{place}一户人家的精神障碍患者{b}情绪不稳，监护人{a}请求帮助送医",
    # 邻里
    "neighbour.water_leak": "{a}家卫生间天花板渗水，怀疑是楼上{floor}楼{b}家管道漏水，对方不肯上门查看"
    "|楼上{b}家装修后{a}家墙面一直发霉渗水，多次协商没有结果",
    "neighbour.noise": "楼上住户{b}每天半夜拖椅子、跳绳，{a}家老人和孩子睡不好觉"
    "|{a}反映隔壁{b}家经常深夜打麻将喧哗，敲门劝说反被骂",
    "neighbour.passage": "{b}在两家之间的通道上砌了矮墙，{a}家电动车进不了门"
    "|{a}称邻居{b}把祖上走了几十年的路堵了，家里人只能绕远路",
    "neighbour.drainage": "{b}家把院子地面垫高，下雨天水全流进{a}家院子|{a}反映邻居{b}家的污水管直接排到自家门口的沟里",
    "neighbour.sunlight": "{b}家新盖的三楼挡住了{a}家的阳光，白天屋里也要开灯"
    "|{a}称后面{b}家加层后自家一楼采光通风都受影响",
    "neighbour.boundary_wall": "{a}和{b}两家为院墙到底砌在哪条线上发生争执，{b}已经开始挖地基"
    "|{b}拆了两家共用的围墙重砌，往{a}家这边多占了半米",
    "neighbour.trees": "{b}家院子里的大树枝叶伸到{a}家屋顶，落叶堵住了排水沟"
    "|{a}称邻居{b}种的竹子根扎进了自家菜地，要求砍掉对方不同意",
    "neighbour.pets": "{b}家的狗不拴绳，前几天把{a}家孩子吓哭了，还在楼道里随地大小便"
    "|{a}称邻居{b}养了好几只猫，气味很重，夜里叫个不停",
    "neighbour.poultry": "{b}在房前屋后散养鸡鸭，天天跑到{a}家菜地里啄菜|{a}反映邻居{b}家养猪，气味难闻，苍蝇很多",
    "neighbour.public_space": "{b}把杂物和旧家具堆在楼道里，{a}认为有消防隐患要求清理，对方不理"
    "|{b}在村里公共场地上搭棚子放农具，{a}等村民有意见",
    "neighbour.renovation": "楼下{b}家装修每天早上七点就开始电钻，{a}家上夜班的人没法休息"
    "|{b}家装修时砸墙把{a}家墙面震裂了，双方为赔偿争执",
    "neighbour.smoke_odour": "楼下{b}开的小饭店油烟直冲{a}家窗户，夏天都不敢开窗"
    "|{a}反映隔壁{b}家天天在院子里烧柴火熏腊肉，烟味很大",
    "neighbour.quarrel": "{a}和对门的{b}因为一点小事在楼道里吵起来，差点动手"
    "|{a}与邻居{b}为孩子打闹的事互相指责，两家闹得很不愉快",
    "neighbour.parking_spot": "{b}每天把车停在{a}家门口，{a}家车开不出来|{a}和邻居{b}为门前空地停车的事多次发生口角",
    # 房屋宅基地与山林土地
    "housing_land.homestead": "{a}与{b}为{place}一块宅基地的使用权发生争执，双方都说是祖上留下的"
    "|{b}在{a}家宅基地边上打桩，说那块地原来是他家的",
    "housing_land.house_ownership": "{a}称{place}的老房子是自己出钱盖的，但房产证写的是{rel}{b}的名字"
    "|{a}兄弟{n}人对父母留下的房屋产权归属各执一词",
    "housing_land.rental": "{a}租了{b}在{place}的房子，租期没到房东就要求搬走，押金{amt}元不退"
    "|房东{a}反映租客{b}拖欠房租{months}个月，人联系不上，东西还在屋里",
    "housing_land.house_sale": "{a}买了{b}在{place}的二手房，交了定金{amt}元后对方反悔不卖了"
    "|{a}购房后发现房子漏水严重，卖方{b}当初隐瞒了情况",
    "housing_land.build_quality": "{a}请{b}的施工队建房，刚住进去墙体就开裂，要求返修对方推脱"
    "|{a}家新建的房子屋顶漏雨，包工头{b}拿了工钱后不管了",
    "housing_land.neighbour_build": "{b}家翻建房屋地基挖到{a}家墙根，{a}家墙壁出现裂缝"
    "|{a}反映{b}建房时脚手架搭到自家屋顶上，瓦片被踩坏",
    "housing_land.forest_land": "{a}所在的村与邻村为{place}后山一片林地的界线争了多年，最近又有人去砍树"
    "|{a}和{b}两家都拿出了林权证，说的是同一片山",
    "housing_land.farmland_contract": "{a}承包的{n}亩田被{b}占去种了西兰花，{a}要求归还"
    "|村里重新调整承包地，{a}认为分给自己的地比原来少了",
    "housing_land.land_transfer": "{a}把{n}亩地流转给{ent}种植，对方已经{months}个月没付流转费"
    "|{a}等农户与种植大户{b}为土地流转合同到期后的地面附着物补偿争执",
    "housing_land.collective_land": "{a}等村民反映村里把一块集体土地租给外人，租金去向不明"
    "|{place}的村民对集体土地出租收益分配有意见",
    "housing_land.graves": "{b}家在{a}家承包的山上新立了坟，{a}要求迁走|两家为{place}山上祖坟的位置和界线发生争执",
    "housing_land.illegal_land_use": "{b}在{place}的农田里倒土填平准备建厂房，{a}等村民举报"
    "|有人在{place}基本农田上搭建钢棚，疑似违法占地",
    "housing_land.irrigation": "{a}和{b}两家为轮流用渠水灌田的时间争执，{b}把渠口堵了"
    "|{place}几户农户为抽水机抽水的先后顺序吵起来",
    "housing_land.house_partition": "{a}兄弟{n}人为分家时老房子和宅基地怎么分一直谈不拢"
    "|{a}与{rel}{b}对父母在世时的分家协议是否有效有争议",
    "housing_land.sea_area": "{a}与{b}两户养殖户为{place}滩涂养殖区的界线发生争执，有人拔了对方的桩"
    "|{a}承包的海塘被{b}占去养蛏子，双方互不相让",
    # 劳动争议与欠薪
    "labour.wage_arrears": "{a}在{ent}做工{months}个月，老板拖欠工资{amt}元，多次讨要无果"
    "|{a}反映{ent}以资金困难为由一直不发工资，欠了{amt}元"
    "|{a}从{ent}离职后，厂里扣着最后两个月的工资{amt}元不给",
    "labour.collective_wage_arrears": "{ent}{n}名工人反映被拖欠工资共计{amt}元，工人们聚在厂门口讨薪"
    "|{ent}老板失联，{n}多名员工的工资没有着落，情绪激动"
    "|{n}名工人围在{ent}办公室，要求当场结清{months}个月的工资",
    "labour.construction_wage": "{place}工地上{n}名农民工反映包工头{b}拖欠工钱{amt}元"
    "|{a}等在{ent}承建的项目上干活，工程结束后劳务费一直拿不到",
    "labour.work_injury": "{a}在{ent}上班时被机器压伤手指，厂里只付了部分医药费，工伤赔偿谈不拢"
    "|{a}在工地摔伤腰椎，老板{b}说是自己不小心不肯赔",
    "labour.labour_contract": "{a}在{ent}干了{years}年，公司一直不签劳动合同，现在要求补签"
    "|{a}称{ent}合同约定的工资和实际发的不一样",
    "labour.dismissal": "{a}被{ent}无故辞退，公司不给任何补偿|{a}怀孕后被{ent}以调岗为由逼着辞职",
    "labour.social_insurance": "{a}在{ent}工作{years}年，公司从来没有给交社保"
    "|{a}发现{ent}以自己名义少缴了社保，退休待遇受影响",
    "labour.overtime": "{a}在{ent}每天上班十二小时，周末也加班，加班费一分没给"
    "|{a}等员工要求{ent}按规定支付节假日加班工资",
    "labour.severance": "{ent}搬迁后要求员工自行离职，{a}要求支付经济补偿{amt}元"
    "|{a}与{ent}合同到期不续签，为经济补偿金数额争执",
    "labour.enterprise_closure": "{ent}突然停产，厂门紧锁，{n}名员工不知道工资和补偿怎么办"
    "|{ent}经营困难准备关门，员工担心欠薪和社保断缴",
    "labour.labour_dispatch": "{a}通过劳务派遣公司到{ent}上班，出了事两家互相推责任"
    "|{a}称派遣公司克扣工资，用工单位{ent}说不归他们管",
    "labour.occupational_disease": "{a}在{ent}打磨车间干了{years}年，查出尘肺病，厂里不认"
    "|{a}怀疑在{ent}长期接触油漆导致身体出问题，要求职业病鉴定",
    "labour.child_labour": "有人反映{ent}车间里有几个看起来只有十四五岁的孩子在做工"
    "|{a}举报{place}一家小作坊雇用未成年人加班",
    "labour.labour_service": "{a}帮{b}家装修做了{days}天零工，说好的工钱{amt}元只给了一半"
    "|{a}给{b}开车送货，双方为运费和误工钱发生争执",
    # 消费
    "consumer.product_quality": "{a}在{place}一家店买的电动车骑了半个月就坏了，商家不给退换"
    "|{a}购买的热水器用了一个月漏水，厂家售后推来推去",
    "consumer.prepaid_card": "{a}在{place}的健身房办了{amt}元的年卡，店突然关门，老板联系不上"
    "|{a}等{n}名会员反映美容店办卡后关门跑路，余额无法退还",
    "consumer.food_safety": "{a}在{place}的小吃店吃完后上吐下泻，怀疑食物不干净|{a}在超市买的熟食已经过期变质",
    "consumer.online_shopping": "{a}网购的手机收到是翻新机，商家拒绝退款|{a}在直播间买的保健品和宣传的完全不一样",
    "consumer.false_advertising": "{place}一家培训机构宣传包过，{a}的孩子没考过要求退费被拒"
    "|{a}称商家宣传的特价实际结账时要加收各种费用",
    "consumer.price": "{a}在{place}一家海鲜排档吃饭，结账时按斤算的价格远高于标价"
    "|{a}反映{place}的停车场收费没有明码标价",
    "consumer.catering": "{a}在{place}饭店办酒席，菜量和约定不符，双方为尾款{amt}元争执"
    "|{a}在餐馆吃饭被服务员烫伤，店家不肯赔",
    "consumer.car_repair": "{a}的车在{ent}保养后发动机出问题，修理厂不承认"
    "|{a}买的新车三个月内多次出现同样故障，4S店拒绝换车",
    "consumer.home_appliance": "{a}家的空调装好后一直不制冷，售后上门三次没修好"
    "|{a}买的洗衣机送货时损坏，商家说要找物流",
    "consumer.decoration_service": "{a}请{ent}装修房子，工期拖了{months}个月还没完工，预付的{amt}元要不回来"
    "|{a}家装修后瓷砖空鼓开裂，装修公司{ent}拒绝返工",
    "consumer.education_training": "{a}给孩子报的辅导班上了几次课就不开了，剩下的{amt}元学费不退"
    "|{a}报名的驾校迟迟不安排练车，要求退费被拒",
    "consumer.tourism": "{a}参加{ent}组织的旅游团被强制购物，要求退团费"
    "|{a}预订的民宿到了现场和照片差别很大，商家不退房费",
    "consumer.telecom": "{a}的手机套餐被营业厅私自变更，多扣了话费|{a}家宽带断网一个星期，报修没人上门",
    "consumer.beauty_salon": "{a}在{place}的美发店烫发后头发严重受损，店家只肯退一半费用"
    "|{a}被美容院推销办卡，做了两次后皮肤过敏",
    "consumer.health_products": "{a}家老人被拉去听讲座，花{amt}元买了一堆保健品|{a}在{place}药店买的药和医生开的不一样",
    # 医疗
    "medical.malpractice": "{a}的{rel}{b}在医院做完手术后出现严重并发症，家属认为是医疗过错"
    "|{a}在{place}卫生院打针后腿部肿胀，要求医院赔偿",
    "medical.death": "{a}的{rel}{b}在医院抢救无效去世，家属对治疗过程有异议，情绪激动"
    "|{a}家属聚在医院门口，要求院方对{b}的死亡给个说法",
    "medical.fees": "{a}住院{days}天花了{amt}元，认为医院重复收费|{a}对医院的检查费用有疑问，要求出具明细",
    "medical.attitude": "{a}带孩子看急诊，医生态度冷淡，等了两个小时没人管|{a}反映{place}卫生院挂号处工作人员态度恶劣",
    "medical.medical_violence": "{b}等{n}名家属在医院科室拉横幅、堵门，影响正常看病"
    "|{a}反映患者家属{b}在医院辱骂推搡医护人员",
    "medical.medical_insurance": "{a}在外地住院的费用回来报销时被拒，说手续不全"
    "|{a}反映医保卡被冒用产生了不是自己的消费",
    "medical.cosmetic": "{a}在{ent}做双眼皮手术后两眼明显不对称，要求赔偿"
    "|{a}在美容机构打玻尿酸后脸部红肿，对方说是个人体质",
    "medical.pharmacy": "{a}在{place}药店买的感冒药吃了过敏，药店不负责|{a}称药店卖给自己的药已经过期",
    "medical.illegal_practice": "有人举报{place}一户民房里有人无证给人看病打针|{a}反映村里有个游医卖所谓的祖传秘方",
    "medical.vaccine": "{a}的孩子打完疫苗后发高烧，家长要求卫生院说明情况|{a}对孩子在接种点漏打一针疫苗有意见",
    "medical.elderly_care": "{a}的{rel}{b}住在{ent}，身上出现褥疮，家属认为护理不到位"
    "|{a}反映养老院擅自涨价，老人每月多交{amt}元",
    "medical.mental_health_care": "{a}的{rel}{b}精神病出院后无人管护，家属请求安排复诊和随访"
    "|{a}反映精神病院对患者{b}的约束过度",
    # 交通事故
    "traffic.collision_injury": "{a}骑车在{place}被{b}驾驶的小轿车撞伤住院，医药费和误工费赔偿谈不拢"
    "|{a}在{place}路口被货车刮倒受伤，司机{b}只肯赔{amt}元",
    "traffic.collision_property": "{a}的车停在{place}被{b}倒车撞坏保险杠，双方对维修费有分歧"
    "|{a}和{b}两车在{place}发生碰擦，都认为是对方全责",
    "traffic.hit_and_run": "{a}昨晚在{place}被一辆车撞倒，司机开车跑了，车牌号记得是{plate}"
    "|{a}停在{place}的车被撞后肇事车辆离开现场",
    "traffic.ebike_accident": "{a}骑电动车与{b}的电动车在{place}相撞，两人都受了伤，为谁负责争执"
    "|{a}的电动车被{b}的电动车追尾，老人摔伤骨折",
    "traffic.fatal": "{place}发生一起交通事故致一人死亡，死者家属{a}与肇事方{b}为赔偿谈判僵持"
    "|{a}的{rel}在{place}被车撞倒后抢救无效，家属情绪激动要求尽快处理",
    "traffic.insurance_claim": "{a}的车出事故后保险公司迟迟不理赔，说要再等鉴定"
    "|{a}与保险公司为事故车辆的定损金额{amt}元争执",
    "traffic.pedestrian": "{a}在{place}人行横道上被{b}驾驶的汽车撞倒，腿部骨折"
    "|{a}家老人过马路被电动三轮车撞倒，对方只肯出一部分医药费",
    "traffic.passenger": "{a}乘坐公交车时司机急刹车导致摔伤，公交公司不愿赔|{a}反映客运班车中途甩客",
    "traffic.taxi": "{a}坐网约车被司机绕路多收费，平台处理不满意|{a}把包落在出租车上，司机不肯归还",
    "traffic.drunk_driving": "{a}反映{place}有人经常喝完酒开车，在村里横冲直撞|群众举报{plate}的车主酒后驾车",
    "traffic.road_defect_injury": "{a}晚上骑车在{place}掉进没有警示的坑里摔伤，找不到责任单位"
    "|{a}的车被{place}路面凸起的井盖刮坏底盘",
    "traffic.farm_vehicle": "{a}开农用三轮车在{place}与{b}的摩托车相撞，双方受伤"
    "|{a}家的拖拉机在田间路上翻车压伤帮工{b}",
    # 物业
    "property_mgmt.property_fee": "{place}小区物业上门催缴物业费，{a}认为服务太差拒绝缴纳"
    "|物业公司起诉{a}拖欠物业费{amt}元，{a}认为物业没有尽责",
    "property_mgmt.service_quality": "{place}小区垃圾好几天没人清，楼道灯坏了也没人修，{a}对物业很不满"
    "|{a}反映小区保洁和绿化长期没人管",
    "property_mgmt.elevator": "{place}小区{n}号楼电梯三天两头坏，上周还困了人，物业一直拖着不修"
    "|{a}家住高层，电梯停运{days}天，老人下不了楼",
    "property_mgmt.parking_fee": "{place}小区物业突然把停车费从每月150元涨到300元，业主{a}等不接受"
    "|{a}反映物业在小区公共道路上划车位收费",
    "property_mgmt.owners_committee": "{place}小区业委会选举程序不公开，{a}等业主质疑结果"
    "|{a}等业主要求罢免现任业委会，双方争执不下",
    "property_mgmt.maintenance_fund": "{place}小区外墙维修要动用维修资金，{a}等业主对报价有异议"
    "|{a}反映维修资金被物业挪作他用",
    "property_mgmt.public_income": "{place}小区电梯广告和停车收入去向不明，业主{a}要求公开"
    "|{a}等业主要求物业公示小区公共收益",
    "property_mgmt.developer_delivery": "{place}新交付的房子墙面开裂、窗户渗水，{a}等业主拒绝收房"
    "|{a}反映开发商交付的房子与样板房差别很大",
    "property_mgmt.delayed_delivery": "{place}楼盘说好去年底交房，到现在还停工，{n}多户业主聚集维权"
    "|{a}等购房户反映开发商资金链断裂，工地停工{months}个月",
    "property_mgmt.property_handover": "{place}小区新旧物业交接，原物业拒不撤场，还带走了资料"
    "|{a}等业主与物业为合同到期后是否续聘争执",
    "property_mgmt.utility_outage": "{place}小区停水已经{days}天，物业说是管道问题一直没修好"
    "|{a}反映小区频繁停电，物业不给说法",
    "property_mgmt.security_guard": "{place}小区门禁形同虚设，外来人员随便进出，业主{a}担心安全"
    "|{a}反映小区保安态度粗暴，与业主发生推搡",
    "property_mgmt.greenery": "{place}小区绿化带被个别业主改成菜地，{a}要求物业处理"
    "|{a}反映小区树木长期不修剪，挡住低层住户窗户",
    "property_mgmt.illegal_alteration": "{place}小区顶楼住户{b}在楼顶搭建阳光房，楼下{a}担心漏水"
    "|{b}把一楼花园围起来建房，其他业主{a}等有意见",
    "property_mgmt.certificate": "{a}在{place}买房{years}年了房产证还没办下来，开发商一直推"
    "|{place}小区{n}多户业主反映开发商欠税导致无法办证",
    # 征地拆迁
    "land_acquisition.compensation": "{a}家的承包地被征用，认为补偿标准太低，拒绝签协议"
    "|{place}的{n}户村民对征地补偿款计算方式有异议",
    "land_acquisition.resettlement": "{a}家拆迁后分到的安置房楼层和面积与约定不符|{a}反映安置房抽签过程不透明",
    "land_acquisition.demolition": "{a}家在{place}的房屋被列入拆迁范围，对评估价格不认可"
    "|{a}称拆迁时自家附属房没有被算进补偿面积",
    "land_acquisition.forced_removal": "{a}反映自家房子还没谈好补偿就被挖掘机推倒了一半"
    "|{a}称拆迁公司夜里强行拆房，家里东西没来得及搬",
    "land_acquisition.transition_fee": "{a}家拆迁后在外租房{months}个月，过渡费一直没有发放"
    "|{a}等拆迁户认为过渡安置费标准太低",
    "land_acquisition.young_crops": "{a}地里的橘树被征地时铲掉，青苗补偿只给了{amt}元"
    "|{a}种的大棚蔬菜被提前推掉，要求补偿",
    "land_acquisition.grave_moving": "{place}因修路要迁坟，{a}家对迁坟补偿和新墓地安排不满意"
    "|{a}称自家祖坟被施工方未通知就挖了",
    "land_acquisition.payout_split": "村里征地款怎么分，外嫁女{a}认为自己也应该有份，村里不同意"
    "|{a}等村民对征地款在村民之间的分配方案有争议",
    "land_acquisition.land_pension": "{a}的地被征用后，被征地农民养老保险一直没办下来"
    "|{a}反映被征地农民社保补缴金额计算有误",
    "land_acquisition.village_renewal": "{place}旧村改造，{a}等几户对新房选位和差价有意见，拒绝搬迁"
    "|{a}反映旧村改造中有人多占安置指标",
    "land_acquisition.firm_relocation": "{ent}被列入征迁范围，老板{b}认为设备搬迁补偿太低"
    "|{ent}征迁后员工安置和补偿问题没谈妥",
    "land_acquisition.illegal_removal": "{a}家的违建被拆除，{a}认为里面的财产应该补偿"
    "|{a}称自家的附属房被认定为违建拆掉了，要求说法",
    # 借贷与合同
    "debt_contract.private_loan": "{a}{years}年前借给{b}{amt}元，有借条，对方一直拖着不还"
    "|{a}向{b}讨债，{b}说已经还了一部分，双方对欠款数额各执一词"
    "|{a}借给亲戚{b}的{amt}元到期不还，现在电话都不接",
    "debt_contract.guarantee": "{a}给朋友{b}的借款做担保，{b}跑了，债主找{a}还钱"
    "|{a}作为担保人被银行起诉，认为自己不应承担全部责任",
    "debt_contract.contract_breach": "{a}与{ent}签订供货合同，对方收货后以质量问题为由拒付尾款{amt}元"
    "|{a}与{b}合作开店，{b}中途退出不履行约定",
    "debt_contract.build_contract": "{a}承包{ent}的厂房工程，完工后对方拖欠工程款{amt}元"
    "|{ent}与施工方{b}为工程结算金额争执，工程停了下来",
    "debt_contract.sales_contract": "{a}给{ent}供应配件{months}个月，货款{amt}元一直没结"
    "|{a}从{b}处购买的一批鞋材质量不合格，要求退货退款",
    "debt_contract.partnership": "{a}和{b}合伙开厂，散伙时为设备和欠款怎么分闹翻|{a}称合伙人{b}私自把合伙账户的钱转走",
    "debt_contract.illegal_funding": "{a}等{n}人反映{ent}以高息为诱饵吸收存款，现在老板失联"
    "|有人在{place}推销年化20%的理财产品，{a}投了{amt}元取不出来",
    "debt_contract.usury": "{a}向{b}借了{amt}元，每月利息三分，现在利滚利还不清|{a}反映{b}放贷收取砍头息",
    "debt_contract.violent_collection": "{a}欠了{b}的钱，{b}找人天天上门堵门、泼油漆"
    "|{a}称催债的人打电话骚扰家人和同事，还发侮辱信息",
    "debt_contract.online_lending": "{a}在手机上借了网贷，逾期后催收人员给通讯录里的人打电话"
    "|{a}称网贷平台实际利息远高于宣传",
    "debt_contract.telecom_fraud": "{a}接到冒充客服的电话，按对方要求转账{amt}元后发现被骗"
    "|{a}在网上刷单被骗{amt}元"
    "|{a}家老人被冒充公检法的电话骗走积蓄{amt}元",
    "debt_contract.transport_contract": "{a}委托{ent}运输一批货物，到货时部分损坏，双方为赔偿争执"
    "|{a}给{ent}拉货的运费{amt}元被拖欠",
    "debt_contract.boat_shares": "{a}和{b}等几人合股买渔船，出海收益怎么分发生矛盾"
    "|{a}要求退出渔船股份，其他股东不同意按原价回购",
    "debt_contract.collective_assets": "{a}等村民质疑村里{amt}元集体资金的使用情况，要求公开账目"
    "|{a}反映村集体资产出租没有公开招标",
    "debt_contract.bank_loan": "{a}在银行的贷款逾期，银行起诉要求还款{amt}元|{a}称银行在贷款时搭售保险",
    # 环境污染
    "environment.industrial_noise": "{place}附近的{ent}晚上机器轰鸣，周边居民{a}等无法休息"
    "|{a}反映家门口的小作坊冲压机从早响到晚",
    "environment.construction_noise": "{place}工地夜间十一点后还在打桩，{a}等居民多次投诉"
    "|{a}反映{place}的施工车辆凌晨进出噪声很大",
    "environment.exhaust_gas": "{ent}烟囱经常冒黑烟，附近{a}家晒的衣服都是黑点|{a}反映{place}一家喷漆厂废气刺鼻",
    "environment.odour": "{place}一带每天晚上飘来一股恶臭，{a}怀疑是附近化工厂排放|{a}反映垃圾中转站气味太大",
    "environment.water_pollution": "{place}的河道水面发黑漂着死鱼，{a}怀疑有厂偷排废水"
    "|{a}发现{ent}的排污管直接通到河里",
    "environment.solid_waste": "有人在{place}路边倒了一大堆工业废料，{a}等村民担心污染"
    "|{a}反映有车辆夜间往{place}的空地上倾倒垃圾",
    "environment.hazardous_waste": "{a}在{place}河边发现几十个装废液的铁桶|{a}举报{ent}把废机油偷偷倒进下水道",
    "environment.livestock_pollution": "{b}的养猪场粪水流进{a}家的农田和水塘|{a}等村民反映附近养鸡场臭味熏人",
    "environment.dust": "{place}搅拌站粉尘很大，周边{a}等居民门窗都是灰|{a}反映渣土车不盖篷布，路上到处是泥",
    "environment.open_burning": "{a}反映有人在{place}田里焚烧秸秆和垃圾，烟很大|{place}的空地上经常有人焚烧电线提炼铜",
    "environment.radiation": "{place}小区楼顶新装了通信基站，{a}等居民担心辐射"
    "|{a}家门口的变电箱嗡嗡作响，担心对健康有影响",
    "environment.soil": "{a}反映{place}的农田被工厂废水浸过，种的菜不敢吃|{a}怀疑电镀厂旧址的土地受了污染",
    "environment.black_river": "{place}附近的河道又黑又臭，夏天蚊虫很多，{a}希望治理|{a}反映村里的池塘变成臭水塘",
    "environment.marine_pollution": "{place}海边漂来大量油污和垃圾，{a}等养殖户担心影响养殖"
    "|{a}反映有船只在近海排放污水",
    # 安全隐患
    "safety_hazard.fire_hazard": "{place}的出租房楼道堆满杂物，消防通道被堵，{a}担心着火"
    "|{a}反映{ent}车间里电线乱拉，灭火器过期"
    "|网格员巡查发现{place}一家店铺消防栓被遮挡",
    "safety_hazard.ebike_charging": "{place}有住户从楼上拉电线下来给电动车充电，{a}多次劝说无效"
    "|网格员发现{place}出租房内有多辆电动车在室内充电",
    "safety_hazard.gas_leak": "{a}闻到{place}楼道里有很浓的煤气味，担心燃气泄漏|{place}一家餐馆的液化气瓶放在门口暴晒",
    "safety_hazard.hazard_chemicals": "{place}的民房里存放了大量油漆稀释剂等易燃品"
    "|{a}反映有人在{place}私自销售散装汽油",
    "safety_hazard.production_safety": "{ent}工人操作冲床时没有防护装置，{a}担心出事"
    "|网格员排查发现{ent}厂房内粉尘大、通风差",
    "safety_hazard.construction_site": "{place}工地脚手架没有防护网，旁边就是人行道，{a}担心坠物伤人"
    "|{a}反映{place}工地塔吊在居民区上方作业",
    "safety_hazard.dangerous_building": "{place}一幢老房子墙体开裂倾斜，里面还住着人"
    "|{a}家隔壁的危房随时可能倒塌，担心砸到自家",
    "safety_hazard.drowning": "{place}的水塘边没有护栏和警示牌，经常有孩子在边上玩|{a}反映暑假有小孩在{place}河里游泳",
    "safety_hazard.road_hazard": "{place}路口的红绿灯坏了好几天，车辆乱行很危险"
    "|{a}反映{place}转弯处没有反光镜，经常差点撞车",
    "safety_hazard.power_facility": "{place}有一根电线杆被撞歪，电线垂得很低|{a}反映村口的变压器周围没有围栏",
    "safety_hazard.special_equipment": "{ent}的锅炉年久失修，工人说压力表不准|{a}反映{place}商场的自动扶梯经常突然停止",
    "safety_hazard.three_in_one": "{place}一家小作坊楼下生产、楼上住人，是典型的三合一场所"
    "|网格员发现{ent}员工宿舍设在仓库上面",
    "safety_hazard.flood_typhoon": "台风预警期间{place}海塘有一段出现渗漏，{a}请求派人查看"
    "|{a}反映{place}山边的简易房在暴雨中有塌方危险",
    "safety_hazard.geological": "{place}后山出现裂缝，下雨后有碎石滚落，{a}家就在山脚下|{a}反映{place}边坡挡墙开裂",
    "safety_hazard.fishing_boat": "{a}反映{place}码头有渔船超载出海，救生设备不全"
    "|网格员发现停泊在{place}的渔船船员未穿救生衣作业",
    # 治安
    "public_order.fight": "{a}和{b}在{place}因琐事发生争吵后互相推搡厮打，{a}头部受伤"
    "|{place}一家烧烤店门口两伙人酒后打架"
    "|{a}与{b}因停车问题在{place}发生口角并动手",
    "public_order.threat": "{a}称{b}多次扬言要找人收拾他，还在家门口转悠|{a}收到{b}发来的威胁短信，说要对其家人不利",
    "public_order.gambling": "{a}反映{place}一处民房里每天晚上有人聚众赌博|群众举报{place}的棋牌室赌资很大",
    "public_order.drugs": "{a}反映{place}出租房里经常有陌生人进出，怀疑有人吸毒|有人在{place}捡到可疑的吸管和锡纸",
    "public_order.prostitution": "{a}反映{place}一家足浴店深夜营业，疑似有色情服务|群众举报{place}酒店门口有人发小卡片",
    "public_order.theft": "{a}停在{place}的电动车昨晚被偷了|{a}家昨夜被撬门，丢失现金{amt}元和首饰",
    "public_order.fraud": "{a}被人以介绍工作为由骗走{amt}元押金|{a}家老人在{place}被人用假金元宝骗了钱",
    "public_order.harassment": "{a}反映前男友{b}一直跟踪自己，在单位门口堵人"
    "|{a}被{b}反复打电话骚扰，换了号码还是能找到",
    "public_order.mental_incident": "{place}有一名疑似精神障碍人员{b}在街上拿棍子追打路人"
    "|{a}反映邻居{b}精神病发作，在家门口砸东西",
    "public_order.drunk_disorder": "{b}喝醉后在{place}大吵大闹，砸了店里的东西|{a}反映有人酒后躺在{place}路中间拦车",
    "public_order.juvenile": "{place}几个十几岁的孩子经常在网吧附近向小学生要钱"
    "|{a}反映一群未成年人深夜骑摩托车在{place}飙车",
    "public_order.school_bullying": "{a}的孩子在学校被几个同学多次殴打、勒索零花钱"
    "|{a}反映女儿被同学孤立辱骂，不敢去上学",
    "public_order.missing_person": "{a}家患有老年痴呆的{rel}{b}今早出门后没回来"
    "|{a}报称{rel}{b}外出打工后{days}天没有音讯",
    "public_order.suicide_risk": "{a}反映朋友{b}在朋友圈发了轻生的话，电话打不通"
    "|{a}称{rel}{b}最近情绪低落，说了不想活的话",
    "public_order.gang_crime": "{a}反映{place}有一伙人强揽工程、收保护费|{a}称有人以暴力手段垄断{place}的砂石运输",
    "public_order.gathering_petition": "{n}多名群众因{place}项目补偿问题聚集在镇政府门口"
    "|{a}等{n}人准备集体到市里上访，反映同一问题",
    "public_order.rental_security": "{place}出租房住了十几个人，人员进出频繁，房东没有登记"
    "|网格员发现{place}群租房内住户身份信息不全",
    "public_order.released_person": "刑满释放人员{b}回到{place}后没有工作，家属担心其重新走上歪路"
    "|{a}反映刑释人员{b}回村后与邻居多次发生冲突",
    # 城市管理
    "city_management.illegal_building": "{b}在{place}自家楼顶违法加盖一层，{a}举报"
    "|{place}有人在河道边搭建铁皮棚"
    "|{a}反映邻居{b}在院子里新建违章房",
    "city_management.street_vendor": "{place}路口每天傍晚摆满流动摊贩，交通堵塞"
    "|{a}反映{place}的水果店把货摊摆到人行道上",
    "city_management.illegal_parking": "{place}人行道上停满汽车，行人只能走机动车道|{a}家门口的消防通道经常被车辆占用",
    "city_management.garbage": "{place}的垃圾桶满了好几天没人清运，臭气熏天|{a}反映{place}垃圾分类点无人管理",
    "city_management.outdoor_ads": "{place}路边新立了一块大广告牌，台风天容易倒|{a}反映{place}电线杆上贴满小广告",
    "city_management.road_damage": "{place}路面塌陷出一个大坑，已经有电动车摔倒|{a}反映{place}的人行道砖松动翘起",
    "city_management.manhole": "{place}有个窨井盖丢了，晚上很危险|{a}反映{place}的井盖破损，车一压就响",
    "city_management.street_light": "{place}一段路的路灯坏了{days}天，晚上漆黑一片|{a}反映{place}路灯白天也亮着",
    "city_management.greenery": "{place}绿化带里的树被人砍了|{a}反映有人在{place}公共绿地上种菜",
    "city_management.building_waste": "有人在{place}路边乱倒建筑垃圾，堆了好几车|{a}反映装修垃圾堆在小区门口没人运走",
    "city_management.dance_noise": "{place}广场舞音响声音太大，一直跳到晚上十点"
    "|{a}反映{place}的商铺用大喇叭循环播放促销广告",
    "city_management.public_toilet": "{place}的公厕又脏又臭，水龙头坏了没人修|{a}反映{place}公厕晚上锁门",
    "city_management.sewer_blockage": "{place}的下水道堵了，污水漫到路面上|{a}反映一下雨{place}就积水，排水管不通",
    "city_management.shared_bikes": "{place}地铁口共享单车乱停，把盲道都堵了|{a}反映{place}小区门口堆满了共享单车",
    "city_management.stray_animals": "{place}一带流浪狗越来越多，{a}家孩子差点被咬|{a}反映{place}有流浪狗夜里成群叫",
    "city_management.outdoor_bbq": "{place}夜宵摊在路边露天烧烤，烟雾很大到凌晨|{a}反映楼下烧烤摊油烟飘进家里",
    # 咨询求助
    "consultation.legal_advice": "{a}想了解{rel}欠钱不还可以通过什么途径起诉|{a}咨询签了合同后对方违约该怎么维权",
    "consultation.social_security": "{a}咨询灵活就业人员怎么缴纳养老保险|{a}想问在外地交的社保能不能转回来",
    "consultation.household_reg": "{a}咨询孩子上户口需要带哪些材料|{a}想把户口迁回{place}，问需要什么手续",
    "consultation.medical_insurance": "{a}咨询在外地看病怎么办理医保异地备案|{a}问城乡居民医保今年什么时候开始缴费",
    "consultation.subsidy": "{a}咨询种粮补贴什么时候发放，自己家怎么没收到|{a}想问购买农机有没有补贴",
    "consultation.social_assistance": "{a}家里{rel}生病失去劳动能力，想申请低保|{a}咨询临时救助的申请条件",
    "consultation.disability": "{a}想给残疾的{rel}办理残疾证，不知道去哪里鉴定|{a}咨询重度残疾人护理补贴怎么申请",
    "consultation.school_enrolment": "{a}是外来务工人员，想问孩子在{place}上小学需要什么条件|{a}咨询今年初中学区划分",
    "consultation.housing_fund": "{a}咨询公积金贷款买房的额度怎么算|{a}想提取公积金装修，问需要哪些材料",
    "consultation.business_licence": "{a}想在{place}开个小吃店，咨询营业执照怎么办|{a}咨询个体户注销需要什么手续",
    "consultation.tax": "{a}咨询出租房屋需要交哪些税|{a}想问个人所得税专项扣除怎么填",
    "consultation.veteran": "{a}是退役军人，咨询优抚金的标准和申领|{a}想了解退役军人创业有没有扶持政策",
    "consultation.psychological": "{a}最近压力很大睡不着，想找人聊聊，问有没有心理咨询"
    "|{a}的孩子高考后情绪低落，家长想寻求心理援助",
    "consultation.elderly_service": "{a}咨询{place}附近的居家养老服务中心能不能送餐|{a}想给{rel}申请养老机构床位",
    "consultation.lost_found": "{a}在{place}丢了钱包，里面有身份证和银行卡，请求帮忙寻找"
    "|{a}在公交车上捡到一部手机，想交给失主",
    "consultation.utility_service": "{a}新房子在{place}，咨询怎么申请通水通电|{a}想问燃气开户需要带什么",
    # 其他
    "other.cadre_conduct": "{a}反映村干部{b}办事拖拉，找了几次都说没空|{a}反映{place}某工作人员办事吃拿卡要",
    "other.village_affairs": "{a}等村民要求村里公开去年的财务收支|{a}反映村务公开栏好几个月没更新",
    "other.village_election": "{a}反映村里换届选举中有人拉票送礼|{a}对村委会选举的选民登记有异议",
    "other.religion_ethnic": "{a}反映{place}有人未经登记搭建宗教活动场所|{a}反映有外地人在村里传教",
    "other.petition_followup": "{a}去年反映的问题至今没有答复，要求信访部门给个说法"
    "|{a}对信访事项的处理意见不满意，申请复查",
    "other.suggestion": "{a}建议在{place}路口增设红绿灯|{a}建议村里在{place}建一个老年活动室",
    "other.praise": "{a}打电话感谢网格员{b}帮忙解决了家里的困难|{a}表扬{place}派出所民警热心帮助找回失物",
    "other.maritime_fishing": "{a}和{b}两艘渔船在{place}附近海域为网具位置发生争执，渔网被割"
    "|{a}反映外地渔船越界到{place}渔场捕捞",
    "other.school_affairs": "{a}反映孩子所在学校乱收资料费|{a}对学校食堂的饭菜质量有意见",
    "other.military_resettlement": "{a}是退伍军人，反映安置工作迟迟没有落实|{a}反映自己的军龄在企业里没有被认可",
    "other.misc": "{a}反映{place}的事情，希望有关部门了解一下|{a}来电反映的情况与多个部门有关，请协调处理",
}
