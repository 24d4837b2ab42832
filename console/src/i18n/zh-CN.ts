import type en from './en'

const zh: typeof en = {
  app: { name: 'Atrium 控制台', language: '语言', menu: '主导航', userMenu: '账户菜单' },
  nav: {
    dashboard: '仪表盘', files: '文件', notifications: '通知', account: '账户',
    users: '用户', roles: '角色', audit: '审计日志', analytics: '分析', administration: '管理',
  },
  auth: {
    title: '登录 Atrium', email: '邮箱', password: '密码', signIn: '登录',
    signOut: '退出登录', signOutEverywhere: '退出所有设备', ended: '会话已结束，请重新登录。',
    confirmEverywhere: '要在所有设备（包括本设备）上退出登录吗？',
  },
  errors: {
    network: '无法连接服务器，请检查网络后重试。',
    invalidCredentials: '邮箱或密码错误。',
    accountInactive: '该账户已停用。',
    unauthorized: '会话已结束，请重新登录。',
    forbidden: '您没有执行此操作的权限。',
    rateLimited: '尝试次数过多，请等待 {seconds} 秒后重试。',
    busy: '服务繁忙，请在 {seconds} 秒后重试。',
    detail: '{detail}',
  },
  common: {
    save: '保存', cancel: '取消', delete: '删除', edit: '编辑', create: '创建', search: '搜索',
    refresh: '刷新', actions: '操作', yes: '是', no: '否', all: '全部', copy: '复制', copied: '已复制',
    close: '关闭', confirm: '确认', saved: '已保存', deleted: '已删除', live: '实时', offline: '正在重连…',
    name: '名称', description: '描述', created: '创建时间', status: '状态', never: '从未', apply: '应用',
    from: '从', to: '到', revoke: '撤销', none: '无', pagination: '分页',
  },
  dashboard: {
    title: '仪表盘', live: '实时活动', activeUsers: '活跃用户（5 分钟）', activitiesToday: '今日活动',
    loginsToday: '今日登录', registrationsToday: '今日注册', uploadsToday: '今日上传',
    chart: '每分钟活动数', chartLabel: '过去一小时每分钟活动数；最近一分钟：{count}',
    topActions: '今日热门操作', action: '操作', count: '次数', mine: '我的统计（30 天）',
    totalActivities: '活动总数', loginFrequency: '每日登录次数', featureUsage: '功能使用',
    performance: '性能', avgDuration: '平均耗时', p95Duration: 'p95 耗时', lastActive: '最近活跃',
    noLive: '实时数据需要“查看所有分析”权限。',
  },
  files: {
    title: '文件', drop: '将最多 10 个文件拖到此处，或选择文件', choose: '选择文件', input: '要上传的文件',
    upload: '上传', uploading: '上传中…', tooMany: '一次最多 10 个文件。', queue: '上传队列',
    list: '我的文件', thumbnail: '预览', filename: '文件名', size: '大小', type: '类型',
    processing: '处理中', ready: '就绪', failed: '失败', success: '已上传', error: '失败',
    download: '下载', copyLink: '复制链接', confirmDelete: '删除 {name}？', quota: '已用存储',
    quotaText: '已用 {used}，共 {limit}（剩余 {left}）', clear: '清除已完成', progressOf: '{name} 的进度',
  },
  notifications: {
    title: '通知', bell: '通知，{count} 条未读', markRead: '标为已读', markAllRead: '全部标为已读',
    unreadOnly: '仅未读', empty: '暂无通知', send: '发送通知', target: '接收者',
    users: '用户', role: '角色', broadcast: '所有人', subject: '标题', body: '内容', level: '级别',
    sent: '已发送给 {count} 位接收者', recipients: '接收用户', roleName: '角色名称', recent: '最近',
    viewAll: '查看全部', info: '信息', success: '成功', warning: '警告', error: '错误', read: '已读', unread: '未读',
  },
  account: {
    title: '账户', profile: '个人资料', firstName: '名', lastName: '姓', username: '用户名',
    phone: '电话', department: '部门', position: '职位', bio: '简介', location: '所在地', website: '网站',
    password: '密码', currentPassword: '当前密码', newPassword: '新密码', change: '修改密码',
    changed: '密码已修改', sessions: '会话', thisDevice: '本设备', device: '设备', ip: 'IP 地址',
    lastUsed: '最近使用', expires: '过期时间', revokeAll: '退出所有设备', apiKeys: 'API 密钥',
    newKey: '新建 API 密钥', keyName: '密钥名称', scopes: '权限范围', expiry: '过期日期', keyOnce:
      '请立即复制此密钥：它不会再次显示。', key: 'API 密钥', prefix: '前缀', copyKey: '复制密钥',
    lastUsedKey: '最近使用', confirmRevoke: '确定撤销？',
  },
  users: {
    title: '用户', search: '搜索用户', active: '启用', staff: '员工', verified: '已验证', superuser: '超级用户',
    role: '角色', email: '邮箱', username: '用户名', name: '姓名', createdAt: '注册时间', lastLogin: '最近登录',
    create: '新建用户', edit: '编辑用户', deactivate: '停用', activate: '启用', grants: '角色',
    confirmDelete: '删除 {email}？此操作无法撤销。', import: '导入', export: '导出', importTitle: '导入用户',
    importFile: 'CSV 或 JSON 文件', importResult: '已创建 {created} 个，跳过 {skipped} 个', row: '行', reason: '原因',
    field: '字段', message: '信息', password: '密码', filterActive: '状态', any: '任意',
    grantsOf: '{email} 的角色', grant: '授予角色', expiresAt: '过期时间', assignedAt: '授予时间',
    state: '状态', expired: '已过期', activeGrant: '有效', noExpiry: '永不过期',
  },
  roles: {
    title: '角色与权限', roles: '角色', permissions: '权限', newRole: '新建角色', editRole: '编辑角色',
    builtin: '内置', codename: '代码', module: '模块', newPermission: '新建权限',
    editPermission: '编辑权限', confirmDelete: '删除 {name}？',
  },
  audit: {
    title: '审计日志', actor: '操作者', action: '操作', target: '对象', targetType: '对象类型', when: '时间',
    ip: 'IP', changes: '变更', field: '字段', before: '之前', after: '之后', actorId: '操作者 ID',
  },
  analytics: {
    title: '分析', user: '用户', days: '天数', stats: '统计', export: '导出活动', format: '格式',
    range: '日期范围', start: '开始日期', end: '结束日期', download: '下载', pickUser: '按邮箱或姓名搜索用户',
  },
}
export default zh
