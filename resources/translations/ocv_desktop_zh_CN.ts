<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="24"/>
        <source>About ocv-desktop</source>
        <translation>关于 ocv-desktop</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="29"/>
        <source>none: credentials kept for this run only ({reason})</source>
        <translation>无：凭据仅在本次运行中保留（{reason}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="36"/>
        <source>Open the log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="42"/>
        <source>Version:</source>
        <translation>版本：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="43"/>
        <source>Qt / PySide:</source>
        <translation>Qt / PySide：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="44"/>
        <source>Keyring:</source>
        <translation>密钥环：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="45"/>
        <source>Home folder:</source>
        <translation>主文件夹：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="50"/>
        <source>Log file:</source>
        <translation>日志文件：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/about.py" line="52"/>
        <source>ocv-desktop manages Docker, LXD, Incus and Proxmox VE nodes.</source>
        <translation>ocv-desktop 用于管理 Docker、LXD、Incus 和 Proxmox VE 节点。</translation>
    </message>
</context>
<context>
    <name>ActivityModel</name>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="44"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="45"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="46"/>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="47"/>
        <source>Instance</source>
        <translation>实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="48"/>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="49"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="50"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="154"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="155"/>
        <source>running…</source>
        <translation>进行中…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="156"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="157"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/activity.py" line="158"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>CommitImageDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="109"/>
        <source>Commit to image</source>
        <translation>提交为镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="118"/>
        <source>Save the filesystem of {name} as a new image. Volumes are not included, and the container is paused while it is copied. This is not a snapshot: the container cannot be rolled back to it.</source>
        <translation>将 {name} 的文件系统保存为新镜像。不包含数据卷，复制期间容器会被暂停。这不是快照：容器无法回滚到它。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="125"/>
        <source>Image name:</source>
        <translation>镜像名称：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="129"/>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="141"/>
        <source>Use lower-case letters, digits, &apos;.&apos;, &apos;_&apos;, &apos;-&apos; and &apos;/&apos;, then :tag.</source>
        <translation>请使用小写字母、数字、&apos;.&apos;、&apos;_&apos;、&apos;-&apos; 和 &apos;/&apos;，然后加上 :标签。</translation>
    </message>
</context>
<context>
    <name>ConfigProblemsPanel</name>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/config_problems.py" line="54"/>
        <source>Nothing in the file was changed, and nothing can be saved to it until it loads: fix these lines in a text editor. The window reloads the file when it is saved; Reload reads it now.</source>
        <translation>文件未被修改，在它能正常加载之前也无法向其中保存任何内容：请在文本编辑器中修正这些行。文件保存后窗口会自动重新加载；点击“重新加载”可立即读取。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/config_problems.py" line="62"/>
        <source>Open the config folder</source>
        <translation>打开配置文件夹</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/config_problems.py" line="64"/>
        <source>&amp;Reload</source>
        <translation>重新加载(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/config_problems.py" line="80"/>
        <source>The configuration was not loaded</source>
        <translation>配置未加载</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/config_problems.py" line="81"/>
        <source>Problems in {path}:</source>
        <translation>{path} 中的问题：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/config_problems.py" line="87"/>
        <source>line {line}: {problem}</source>
        <translation>第 {line} 行：{problem}</translation>
    </message>
</context>
<context>
    <name>ConfirmDeleteDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="36"/>
        <source>Delete instances</source>
        <translation>删除实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="43"/>
        <source>Delete the instance {name} on {node}?</source>
        <translation>删除节点 {node} 上的实例 {name}？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="47"/>
        <source>Delete these {count} instances?</source>
        <translation>删除以下 {count} 个实例？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="52"/>
        <source>Their disks and data are deleted too. This cannot be undone.</source>
        <translation>实例的磁盘和数据也会一并删除，此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="62"/>
        <source>Stop the running instance first</source>
        <translation>先停止正在运行的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="64"/>
        <source>Stop the {count} running instances first</source>
        <translation>先停止 {count} 个正在运行的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="66"/>
        <source>Without this, running instances are not deleted.</source>
        <translation>不勾选此项时，正在运行的实例不会被删除。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="77"/>
        <source>Instance</source>
        <translation>实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="77"/>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="77"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/confirm.py" line="71"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ConsoleTabs</name>
    <message>
        <location filename="../../ocv_desktop/ui/console/tabs.py" line="35"/>
        <source>Consoles</source>
        <translation>控制台</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/console/tabs.py" line="53"/>
        <source>{target} (connecting…)</source>
        <translation>{target}（正在连接…）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/console/tabs.py" line="78"/>
        <source>{title} [ended]</source>
        <translation>{title} [已结束]</translation>
    </message>
</context>
<context>
    <name>CreateInstanceDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="53"/>
        <source>Create instance</source>
        <translation>创建实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="66"/>
        <source>an image of the node, or one to pull</source>
        <translation>节点上的镜像，或要拉取的镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="67"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="68"/>
        <source>List the node&apos;s images again</source>
        <translation>重新列出节点的镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="79"/>
        <source>no limit</source>
        <translation>不限制</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="81"/>
        <source>no limit (e.g. 512M, 2G)</source>
        <translation>不限制（例如 512M、2G）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="83"/>
        <source>platform default (e.g. 10G)</source>
        <translation>平台默认值（例如 10G）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="86"/>
        <source>one per line: host:guest/proto, e.g. 8080:80/tcp</source>
        <translation>每行一个：主机端口:客户端口/协议，例如 8080:80/tcp</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="89"/>
        <source>one per line: KEY=VALUE</source>
        <translation>每行一个：KEY=VALUE</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="94"/>
        <source>the image&apos;s default</source>
        <translation>镜像的默认命令</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="95"/>
        <source>Start after creating</source>
        <translation>创建后启动</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="107"/>
        <source>Node:</source>
        <translation>节点：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="108"/>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="112"/>
        <source>Image:</source>
        <translation>镜像：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="114"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="116"/>
        <source>CPUs:</source>
        <translation>CPU：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="117"/>
        <source>Memory:</source>
        <translation>内存：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="118"/>
        <source>Disk:</source>
        <translation>磁盘：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="120"/>
        <source>Ports:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="121"/>
        <source>Environment:</source>
        <translation>环境变量：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="122"/>
        <source>Command:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="127"/>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="323"/>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="130"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="166"/>
        <source>Container</source>
        <translation>容器</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="166"/>
        <source>Virtual machine</source>
        <translation>虚拟机</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="171"/>
        <source>Port mappings and the command are set for Docker containers only</source>
        <translation>端口映射和命令仅适用于 Docker 容器</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="183"/>
        <source>Free resources: not known yet</source>
        <translation>可用资源：尚不清楚</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="186"/>
        <source>Free on the node: {memory} of {total} memory, {disk} disk ({cores} CPUs)</source>
        <translation>节点可用：内存 {memory}（共 {total}），磁盘 {disk}（{cores} 个 CPU）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="202"/>
        <source>Listing the images of {node}…</source>
        <translation>正在列出 {node} 的镜像…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="211"/>
        <source>The images could not be listed: {error}</source>
        <translation>无法列出镜像：{error}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="219"/>
        <source>%n image(s) on the node</source>
        <translation>
            <numerusform>节点上有 %n 个镜像</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="243"/>
        <source>Add a node first.</source>
        <translation>请先添加节点。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="247"/>
        <source>Invalid name: {rule}</source>
        <translation>名称无效：{rule}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="251"/>
        <source>Type a name.</source>
        <translation>请输入名称。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="255"/>
        <source>Choose or type an image.</source>
        <translation>请选择或输入镜像。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="311"/>
        <source>Creating…</source>
        <translation>正在创建…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/create_instance.py" line="317"/>
        <source>The node refused: {error}</source>
        <translation>节点拒绝了请求：{error}</translation>
    </message>
</context>
<context>
    <name>CreateSnapshotDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="43"/>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="67"/>
        <source>Take snapshot</source>
        <translation>创建快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="53"/>
        <source>this platform keeps no description</source>
        <translation>此平台不保存描述</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="54"/>
        <source>Also save the running memory (stateful)</source>
        <translation>同时保存运行中的内存（有状态）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="56"/>
        <source>Restoring it resumes the instance as it was running</source>
        <translation>恢复时实例将按当时的运行状态继续运行</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="59"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="61"/>
        <source>Description:</source>
        <translation>描述：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="63"/>
        <source>Snapshot of {name}</source>
        <translation>{name} 的快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="82"/>
        <source>Give the snapshot a name.</source>
        <translation>请为快照命名。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/snapshot.py" line="84"/>
        <source>Not a valid snapshot name here: {rule}</source>
        <translation>此平台上的快照名称无效：{rule}</translation>
    </message>
</context>
<context>
    <name>DetailsController</name>
    <message>
        <location filename="../../ocv_desktop/ui/flows/details.py" line="30"/>
        <source>Instance &amp;details</source>
        <translation>实例详情(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/details.py" line="33"/>
        <source>Show the configuration, usage, log, ports and snapshots of the selected instance</source>
        <translation>显示所选实例的配置、用量、日志、端口和快照</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/base.py" line="118"/>
        <source>… and {count} more lines (see the details)</source>
        <translation>… 另有 {count} 行（见详细信息）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/base.py" line="130"/>
        <source>An unexpected error occurred: {error}</source>
        <translation>发生意外错误：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/base.py" line="135"/>
        <source>This is a bug in ocv-desktop. The details below help the developers to fix it.</source>
        <translation>这是 ocv-desktop 的程序缺陷。下面的详细信息可以帮助开发者修复它。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/widgets.py" line="176"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/error_banner.py" line="36"/>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/error_banner.py" line="42"/>
        <source>Hide this message</source>
        <translation>隐藏此消息</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/error_banner.py" line="58"/>
        <source> (and {count} earlier)</source>
        <translation>（之前还有 {count} 条）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/error_banner.py" line="57"/>
        <source>… {count} more lines in the log file</source>
        <translation>… 另有 {count} 行，见日志文件</translation>
    </message>
</context>
<context>
    <name>ErrorHooks</name>
    <message>
        <location filename="../../ocv_desktop/ui/main.py" line="113"/>
        <source>Unexpected problem: {what}</source>
        <translation>意外问题：{what}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/main.py" line="114"/>
        <source>Unexpected error (a bug, please report it; details are in the log): {kind}: {error}</source>
        <translation>意外错误（程序缺陷，请报告；详细信息见日志）：{kind}：{error}</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="27"/>
        <source>cannot connect to {where}: {reason}</source>
        <translation>无法连接到 {where}：{reason}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="31"/>
        <source>{where} refused the connection</source>
        <translation>{where} 拒绝了连接</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="35"/>
        <source>cannot resolve the host name of {where}: {reason}</source>
        <translation>无法解析 {where} 的主机名：{reason}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="39"/>
        <source>SSH connection to {where} failed: {reason}</source>
        <translation>到 {where} 的 SSH 连接失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="43"/>
        <source>the connection to {where} failed: {reason}</source>
        <translation>到 {where} 的连接失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="47"/>
        <source>{what} timed out after {seconds} s</source>
        <translation>{what} 在 {seconds} 秒后超时</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="51"/>
        <source>connecting to {where} over SSH</source>
        <translation>通过 SSH 连接 {where}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="55"/>
        <source>{where} refused the SSH login ({method} authentication)</source>
        <translation>{where} 拒绝了 SSH 登录（{method} 认证）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="59"/>
        <source>{where} refused the trust token: {reason}</source>
        <translation>{where} 拒绝了信任令牌：{reason}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="61"/>
        <source>connecting to {where}</source>
        <translation>连接 {where}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="67"/>
        <source>is sshd running and the port right?</source>
        <translation>sshd 是否在运行、端口是否正确？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="70"/>
        <source>check the node&apos;s address</source>
        <translation>请检查节点地址</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="71"/>
        <source>check the user name and credentials</source>
        <translation>请检查用户名和凭据</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="74"/>
        <source>the trust token is empty or has spaces in it</source>
        <translation>信任令牌为空或包含空格</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="79"/>
        <source>LXD/Incus names are hostnames: letters, digits and &apos;-&apos;, starting with a letter, at most 63</source>
        <translation>LXD/Incus 的名称是主机名：只能使用字母、数字和“-”，以字母开头，最多 63 个字符</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="84"/>
        <source>2-63 characters: letters, digits, &apos;_&apos;, &apos;.&apos; and &apos;-&apos;, starting with a letter or digit</source>
        <translation>2–63 个字符：字母、数字、“_”、“.”和“-”，以字母或数字开头</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="89"/>
        <source>a hostname: letters, digits and &apos;-&apos;, not starting or ending with &apos;-&apos;, at most 63 characters</source>
        <translation>主机名：字母、数字和“-”，不能以“-”开头或结尾，最多 63 个字符</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="94"/>
        <source>use letters, digits and &apos;-&apos;, start with a letter or digit, at most 63 characters</source>
        <translation>使用字母、数字和“-”，以字母或数字开头，最多 63 个字符</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/errors.py" line="98"/>
        <source>tokens are single-use and expire; create a new one with `config trust add`</source>
        <translation>令牌只能使用一次且会过期；请用 `config trust add` 创建新的令牌</translation>
    </message>
</context>
<context>
    <name>ImagesPanel</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="50"/>
        <source>Images</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="62"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="64"/>
        <source>Filter by name, alias or id</source>
        <translation>按名称、别名或 ID 筛选</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="67"/>
        <source>image to pull, e.g. debian:12 or images:debian/12</source>
        <translation>要拉取的镜像，例如 debian:12 或 images:debian/12</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="68"/>
        <source>Pull</source>
        <translation>拉取</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="69"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="76"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="81"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="81"/>
        <source>Aliases</source>
        <translation>别名</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="81"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="81"/>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="81"/>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="81"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="105"/>
        <source>Node:</source>
        <translation>节点：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="152"/>
        <source>Add a node first</source>
        <translation>请先添加节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="164"/>
        <source>Listing the images…</source>
        <translation>正在列出镜像…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="172"/>
        <source>The images could not be listed: {error}</source>
        <translation>无法列出镜像：{error}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="177"/>
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 个镜像</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="187"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="187"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="187"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="238"/>
        <source>Pulling {image}…</source>
        <translation>正在拉取 {image}…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="243"/>
        <source>{image} could not be pulled: {error}</source>
        <translation>无法拉取 {image}：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="251"/>
        <source>Pulled {image}.</source>
        <translation>已拉取 {image}。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="268"/>
        <source>Delete image</source>
        <translation>删除镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="269"/>
        <source>Delete the image {image} from {node}?</source>
        <translation>从 {node} 删除镜像 {image}？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="272"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="273"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="278"/>
        <source>Deleting {image}…</source>
        <translation>正在删除 {image}…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="283"/>
        <source>The node refused to delete it: {error}</source>
        <translation>节点拒绝删除：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="290"/>
        <location filename="../../ocv_desktop/ui/dialogs/images.py" line="293"/>
        <source>Deleted {image}.</source>
        <translation>已删除 {image}。</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="35"/>
        <source>Import OneClickVirt providers</source>
        <translation>导入 OneClickVirt 节点配置</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="37"/>
        <source>OneClickVirt provider files (*.yaml *.yml);;All files (*)</source>
        <translation>OneClickVirt 节点配置文件 (*.yaml *.yml);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ImportReportDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="52"/>
        <source>Import report</source>
        <translation>导入报告</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="54"/>
        <source>{file}: {added} added, {updated} updated, {skipped} skipped.</source>
        <translation>{file}：新增 {added} 个，更新 {updated} 个，跳过 {skipped} 个。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="62"/>
        <source>Passwords and token secrets from the file are kept with your other credentials, never in the configuration file. At the first connection to each node you confirm its host key.</source>
        <translation>文件中的密码和令牌密钥与您的其他凭据保存在一起，绝不会写入配置文件。首次连接每个节点时，需要您确认其主机密钥。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="69"/>
        <source>Skipped entries were not imported; fix them in the file and import it again.</source>
        <translation>被跳过的条目没有导入；请在文件中修正后重新导入。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="73"/>
        <source>Entry</source>
        <translation>条目</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="73"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="76"/>
        <source>Added ({count})</source>
        <translation>新增（{count}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="77"/>
        <source>Updated ({count})</source>
        <translation>更新（{count}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="78"/>
        <source>Skipped ({count})</source>
        <translation>跳过（{count}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="79"/>
        <source>Warnings ({count})</source>
        <translation>警告（{count}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/import_dialog.py" line="108"/>
        <source>line {line}</source>
        <translation>第 {line} 行</translation>
    </message>
</context>
<context>
    <name>InstanceDetails</name>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="80"/>
        <source>Instance details</source>
        <translation>实例详情</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="96"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="97"/>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="98"/>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="99"/>
        <source>Ports</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="101"/>
        <source>Snapshots</source>
        <translation>快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="137"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="138"/>
        <source>Node:</source>
        <translation>节点：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="139"/>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="140"/>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="141"/>
        <source>Image:</source>
        <translation>镜像：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="142"/>
        <source>CPU limit:</source>
        <translation>CPU 限制：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="143"/>
        <source>Memory limit:</source>
        <translation>内存限制：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="144"/>
        <source>Disk limit:</source>
        <translation>磁盘限制：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="145"/>
        <source>Addresses:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="146"/>
        <source>Port mappings:</source>
        <translation>端口映射：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="147"/>
        <source>Created:</source>
        <translation>创建时间：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="148"/>
        <source>Id:</source>
        <translation>ID：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="162"/>
        <source>CPU:</source>
        <translation>CPU：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="163"/>
        <source>Memory:</source>
        <translation>内存：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="164"/>
        <source>Disk:</source>
        <translation>磁盘：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="165"/>
        <source>Network:</source>
        <translation>网络：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="169"/>
        <source>Refresh now</source>
        <translation>立即刷新</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="170"/>
        <source>List the node&apos;s instances again (usage follows every refresh)</source>
        <translation>重新列出该节点的实例（用量随每次刷新更新）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="183"/>
        <source>CPU, last hour:</source>
        <translation>CPU（最近一小时）：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="184"/>
        <source>Memory, last hour:</source>
        <translation>内存（最近一小时）：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="199"/>
        <source> lines</source>
        <translation> 行</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="200"/>
        <source>Load log</source>
        <translation>加载日志</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="206"/>
        <source>The log is read from the node when you press Load log.</source>
        <translation>按下“加载日志”后才从节点读取日志。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="211"/>
        <source>Last</source>
        <translation>最后</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="225"/>
        <source>Host address</source>
        <translation>主机地址</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="225"/>
        <source>Host port</source>
        <translation>主机端口</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="225"/>
        <source>Guest port</source>
        <translation>客户机端口</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="225"/>
        <source>Protocol</source>
        <translation>协议</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="252"/>
        <source>This instance is no longer on its node.</source>
        <translation>此实例已不在其节点上。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="263"/>
        <source>{name} on {node}</source>
        <translation>{node} 上的 {name}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="264"/>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="289"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="265"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="271"/>
        <source>{status} (the platform says: {raw})</source>
        <translation>{status}（平台显示：{raw}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="273"/>
        <source>container</source>
        <translation>容器</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="273"/>
        <source>VM</source>
        <translation>虚拟机</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="275"/>
        <source>{cores} cores</source>
        <translation>{cores} 核</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="276"/>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="277"/>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="278"/>
        <source>no limit</source>
        <translation>无限制</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="294"/>
        <source>{percent}% of one core</source>
        <translation>单核的 {percent}%</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="296"/>
        <source>(limit {cores} cores)</source>
        <translation>（限制 {cores} 核）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="310"/>
        <source>received {rx}, sent {tx}</source>
        <translation>已接收 {rx}，已发送 {tx}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="321"/>
        <source>Updated with every refresh of the instance list.</source>
        <translation>随实例列表的每次刷新而更新。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="323"/>
        <source>The instance is not running: it uses no CPU or memory now.</source>
        <translation>实例未运行：当前不占用 CPU 或内存。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="330"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="335"/>
        <source>No port mappings. LXD, Incus and Proxmox guests are reached at their own addresses.</source>
        <translation>没有端口映射。LXD、Incus 和 Proxmox 客户机通过其自身地址访问。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="361"/>
        <source>Reading the log…</source>
        <translation>正在读取日志…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="373"/>
        <source>The log could not be read: {error}</source>
        <translation>无法读取日志：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="384"/>
        <source>Nothing new since the last read.</source>
        <translation>自上次读取以来没有新内容。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="392"/>
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/instance_details.py" line="392"/>
        <source>The log is empty.</source>
        <translation>日志为空。</translation>
    </message>
</context>
<context>
    <name>InstanceTableModel</name>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="119"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="120"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="121"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="122"/>
        <source>Image</source>
        <translation>镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="123"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="124"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="125"/>
        <source>Disk</source>
        <translation>磁盘</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="126"/>
        <source>IP addresses</source>
        <translation>IP 地址</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="127"/>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="359"/>
        <source>{status} (the platform says: {raw})</source>
        <translation>{status}（平台原始状态：{raw}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="361"/>
        <source>id: {id}</source>
        <translation>ID：{id}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="103"/>
        <source>VM</source>
        <translation>虚拟机</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="103"/>
        <source>container</source>
        <translation>容器</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/instance_table.py" line="104"/>
        <source>{cores} cores</source>
        <translation>{cores} 核</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="90"/>
        <source>ocv-desktop</source>
        <translation>ocv-desktop</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="144"/>
        <source>Nodes</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="168"/>
        <source>Instances</source>
        <translation>实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="173"/>
        <source>Filter instances by any column (Ctrl+F)</source>
        <translation>按任意列筛选实例（Ctrl+F）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="175"/>
        <source>Filter instances</source>
        <translation>筛选实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="238"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="253"/>
        <source>Consoles</source>
        <translation>控制台</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="267"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="273"/>
        <source>&amp;Node</source>
        <translation>节点(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="277"/>
        <source>&amp;Instance</source>
        <translation>实例(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="286"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="291"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="294"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="475"/>
        <source>{healthy} of {total} nodes healthy</source>
        <translation>{total} 个节点中 {healthy} 个正常</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="481"/>
        <source>credentials in the system keyring ({backend})</source>
        <translation>凭据保存在系统密钥环中（{backend}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="483"/>
        <source>credentials not saved: {reason}</source>
        <translation>凭据未保存：{reason}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="496"/>
        <source>{node}: its host key or certificate is not trusted yet; press F5 or click its badge.</source>
        <translation>{node}：其主机密钥或证书尚未受信任；请按 F5 或点击其状态标记。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="499"/>
        <source>{node}: could not list instances: {error}</source>
        <translation>{node}：无法列出实例：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="536"/>
        <source>All nodes</source>
        <translation>所有节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="650"/>
        <source>Select one instance to open a terminal in it</source>
        <translation>请只选择一个实例，以便在其中打开终端</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="654"/>
        <source>Select a node or one instance to open a terminal</source>
        <translation>请选择一个节点或一个实例以打开终端</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="656"/>
        <source>Your terminal program cannot open this; choose the built-in terminal in Settings</source>
        <translation>您的终端程序无法打开它；请在设置中选择内置终端</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="665"/>
        <source>This node is reached over its API only: add SSH access to open a shell on it</source>
        <translation>此节点仅通过 API 访问：请添加 SSH 访问方式，才能在其上打开 shell</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="667"/>
        <source>The instance is not running</source>
        <translation>实例未在运行</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="669"/>
        <source>A virtual machine&apos;s console needs the Proxmox API: add API credentials to the node</source>
        <translation>虚拟机的控制台需要 Proxmox API：请为该节点添加 API 凭据</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="672"/>
        <source>This node has neither SSH access nor API credentials for a console</source>
        <translation>此节点既没有 SSH 访问，也没有可用于控制台的 API 凭据</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="674"/>
        <source>Terminals on this computer need a POSIX system</source>
        <translation>在本机上打开终端需要 POSIX 系统</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="682"/>
        <location filename="../../ocv_desktop/ui/app_window.py" line="686"/>
        <source>Select one virtual machine to show its screen</source>
        <translation>选择一台虚拟机以显示其屏幕</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="692"/>
        <source>Only virtual machines have a graphical console: open a terminal instead</source>
        <translation>只有虚拟机才有图形控制台：请改为打开终端</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="694"/>
        <source>Graphical consoles are offered for Proxmox virtual machines</source>
        <translation>图形控制台仅适用于 Proxmox 虚拟机</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="695"/>
        <source>The virtual machine is not running</source>
        <translation>该虚拟机未在运行</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="697"/>
        <source>A graphical console needs the Proxmox API: add API credentials to the node</source>
        <translation>图形控制台需要 Proxmox API：请为该节点添加 API 凭据</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="715"/>
        <source>Opening the screen of {vm}…</source>
        <translation>正在打开 {vm} 的屏幕…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="720"/>
        <source>Could not show the screen of {vm}: {error}</source>
        <translation>无法显示 {vm} 的屏幕：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="761"/>
        <source>Could not open a terminal for {target}: {error}</source>
        <translation>无法为 {target} 打开终端：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="48"/>
        <source>The node could not be added</source>
        <translation>无法添加节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="61"/>
        <source>The node could not be saved</source>
        <translation>无法保存节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="81"/>
        <source>The credentials of {nodes} were NOT saved: {why}</source>
        <translation>{nodes} 的凭据未保存：{why}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="90"/>
        <source>Remove node</source>
        <translation>移除节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="91"/>
        <source>Remove {node} from ocv-desktop? Its saved credentials are deleted from the keyring. Nothing on the node itself is changed.</source>
        <translation>从 ocv-desktop 中移除 {node}？其保存的凭据将从密钥环中删除。节点本身不会有任何改动。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="96"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="105"/>
        <source>The node was removed, but its credentials were not deleted</source>
        <translation>节点已移除，但其凭据未能删除</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="871"/>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="97"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="108"/>
        <source>The node could not be removed</source>
        <translation>无法移除节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/nodes.py" line="118"/>
        <source>The file could not be imported</source>
        <translation>无法导入该文件</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="858"/>
        <source>Copy name</source>
        <translation>复制名称</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/app_window.py" line="874"/>
        <source>Copy result</source>
        <translation>复制结果</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/flows/instances.py" line="35"/>
        <source>The password of {user} in {instance} was set.</source>
        <translation>已设置 {instance} 中 {user} 的密码。</translation>
    </message>
</context>
<context>
    <name>NewPasswordDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="119"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="131"/>
        <source>ocv-desktop does not store this password anywhere and forgets it when you close this window. Save it in your password manager now.</source>
        <translation>ocv-desktop 不会在任何地方保存此密码，关闭此窗口后即不再保留。请现在将它存入您的密码管理器。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="138"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="151"/>
        <source>Copied. The clipboard is cleared in {seconds} seconds.</source>
        <translation>已复制。剪贴板将在 {seconds} 秒后清空。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="104"/>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="108"/>
        <source>The password of {user} in {instance} on {node} is now:</source>
        <translation>{node} 上 {instance} 中 {user} 的密码现在是：</translation>
    </message>
</context>
<context>
    <name>NodeDetailsDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="43"/>
        <source>Node details — {name}</source>
        <translation>节点详情 — {name}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="51"/>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="52"/>
        <source>Last 6 hours</source>
        <translation>最近 6 小时</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="53"/>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="57"/>
        <source>Time span</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="72"/>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="113"/>
        <source>checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="115"/>
        <source>{name} — {address} ({platform}), health: {state}</source>
        <translation>{name} — {address}（{platform}），健康状态：{state}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="129"/>
        <source>No resources recorded yet. They are read over SSH at every health check; a node without SSH access has none (Proxmox nodes still show the history they keep).</source>
        <translation>尚未记录资源数据。每次健康检查时通过 SSH 读取；没有 SSH 访问的节点没有这些数据（Proxmox 节点仍会显示其自身保存的历史）。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_details.py" line="135"/>
        <source>Older points are 15-minute averages; CPU, memory and disk in percent of the node&apos;s total.</source>
        <translation>较早的数据点为 15 分钟平均值；CPU、内存和磁盘以占节点总量的百分比表示。</translation>
    </message>
</context>
<context>
    <name>NodeEditorDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="133"/>
        <source>Edit node {name}</source>
        <translation>编辑节点 {name}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="135"/>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="331"/>
        <source>Add node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="188"/>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="190"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="194"/>
        <source>&amp;Platform:</source>
        <translation>平台(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="195"/>
        <source>This computer (commands run here, no SSH)</source>
        <translation>本机（命令在本机执行，不使用 SSH）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="197"/>
        <source>Use sudo -n (for a user other than root)</source>
        <translation>使用 sudo -n（用于非 root 用户）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="199"/>
        <source>comma-separated, e.g. production, eu-west</source>
        <translation>用逗号分隔，例如：生产, 华东</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="200"/>
        <source>&amp;Tags:</source>
        <translation>标签(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="204"/>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="566"/>
        <source>SSH</source>
        <translation>SSH</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="205"/>
        <source>host name or IP address</source>
        <translation>主机名或 IP 地址</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="206"/>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="209"/>
        <source>P&amp;ort:</source>
        <translation>端口(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="211"/>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="213"/>
        <source>SSH agent</source>
        <translation>SSH 代理</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="214"/>
        <source>Key file</source>
        <translation>密钥文件</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="215"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="216"/>
        <source>&amp;Log in with:</source>
        <translation>登录方式(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="218"/>
        <source>&amp;Key file:</source>
        <translation>密钥文件(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="220"/>
        <source>Key p&amp;assphrase:</source>
        <translation>密钥口令(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="222"/>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="226"/>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="566"/>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="228"/>
        <source>&amp;Endpoint:</source>
        <translation>接口地址(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="230"/>
        <source>API token (recommended)</source>
        <translation>API 令牌（推荐）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="231"/>
        <source>User and password</source>
        <translation>用户名和密码</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="232"/>
        <source>No API (SSH only)</source>
        <translation>不使用 API（仅 SSH）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="233"/>
        <source>API log&amp;in:</source>
        <translation>API 登录(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="235"/>
        <source>Token I&amp;D:</source>
        <translation>令牌 ID(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="237"/>
        <source>Token &amp;secret:</source>
        <translation>令牌密钥(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="239"/>
        <source>API use&amp;r:</source>
        <translation>API 用户(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="241"/>
        <source>API passwor&amp;d:</source>
        <translation>API 密码(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="242"/>
        <source>found automatically</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="243"/>
        <source>Prox&amp;mox node:</source>
        <translation>Proxmox 节点(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="244"/>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="248"/>
        <source>PEM file</source>
        <translation>PEM 文件</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="246"/>
        <source>Client &amp;certificate:</source>
        <translation>客户端证书(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="250"/>
        <source>Client ke&amp;y:</source>
        <translation>客户端私钥(&amp;Y)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="253"/>
        <source>none: pin the server certificate</source>
        <translation>无：固定服务器证书</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="254"/>
        <source>CA &amp;file:</source>
        <translation>CA 文件(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="256"/>
        <source>Pinned certificate:</source>
        <translation>已固定的证书：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="312"/>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="314"/>
        <source>Automatic (API when possible, else SSH)</source>
        <translation>自动（优先 API，否则 SSH）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="315"/>
        <source>API only</source>
        <translation>仅 API</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="316"/>
        <source>SSH only</source>
        <translation>仅 SSH</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="317"/>
        <source>E&amp;xecution:</source>
        <translation>执行方式(&amp;X)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="321"/>
        <source>Notes:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="331"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="339"/>
        <source>&amp;Test connection</source>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="340"/>
        <source>Run the health check with these settings now; nothing is saved</source>
        <translation>立即用这些设置运行健康检查；不会保存任何内容</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="364"/>
        <source>empty: keep the saved one</source>
        <translation>留空则保留已保存的值</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="364"/>
        <source>stored in the system keyring</source>
        <translation>保存在系统密钥环中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="374"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="375"/>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="549"/>
        <source>Testing the connection…</source>
        <translation>正在测试连接…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="559"/>
        <source>The test was cancelled.</source>
        <translation>测试已取消。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="563"/>
        <source>The test failed: {error}</source>
        <translation>测试失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="566"/>
        <source>Service</source>
        <translation>服务</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="570"/>
        <source>{check}: OK</source>
        <translation>{check}：正常</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="574"/>
        <source>{check}: not checked ({why})</source>
        <translation>{check}：未检查（{why}）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="578"/>
        <source>{check}: FAILED: {error}</source>
        <translation>{check}：失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="582"/>
        <source>No check applies to this node.</source>
        <translation>没有适用于此节点的检查。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="724"/>
        <source>Still needed: {fields}</source>
        <translation>尚需填写：{fields}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="755"/>
        <source>default: {url}</source>
        <translation>默认：{url}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="757"/>
        <source>default: the local unix socket</source>
        <translation>默认：本机 unix 套接字</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="758"/>
        <source>default with a client certificate: {url}</source>
        <translation>使用客户端证书时默认：{url}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="781"/>
        <source>Choose the SSH private key</source>
        <translation>选择 SSH 私钥</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="784"/>
        <source>Choose the client certificate</source>
        <translation>选择客户端证书</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="787"/>
        <source>Choose the client key</source>
        <translation>选择客户端私钥</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="790"/>
        <source>Choose the CA certificate</source>
        <translation>选择 CA 证书</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="268"/>
        <source>No certificate yet? Leave both empty and enrol: a client certificate is created and the server is made to trust it, with a trust token (on the server: `incus config trust add NAME` or `lxc config trust add`) or over SSH.</source>
        <translation>还没有证书？两项都留空并进行注册：程序会创建客户端证书，并通过信任令牌（在服务器上运行 `incus config trust add NAME` 或 `lxc config trust add` 获取）或通过 SSH 让服务器信任它。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="275"/>
        <source>paste the trust token here</source>
        <translation>在此粘贴信任令牌</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="280"/>
        <source>Enrol with &amp;token</source>
        <translation>用令牌注册(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="282"/>
        <source>Enrol over SS&amp;H</source>
        <translation>通过 SSH 注册(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="284"/>
        <source>&amp;Pin and enrol</source>
        <translation>固定证书并注册(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="286"/>
        <source>Trust exactly this server certificate (compare its fingerprint first) and enrol</source>
        <translation>只信任这一个服务器证书（请先核对指纹）并注册</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="600"/>
        <source>Enrolment runs from the main window</source>
        <translation>注册需从主窗口进行</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="602"/>
        <source>Fill in the fields above first</source>
        <translation>请先填写上面的字段</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="606"/>
        <source>Paste a trust token first</source>
        <translation>请先粘贴信任令牌</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="607"/>
        <source>Create a client certificate and have the server trust it with this token</source>
        <translation>创建客户端证书，并用此令牌让服务器信任它</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="610"/>
        <source>Needs the SSH host and user name</source>
        <translation>需要 SSH 主机和用户名</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="611"/>
        <source>Create a client certificate and add it to the server&apos;s trust list over SSH</source>
        <translation>创建客户端证书，并通过 SSH 将其加入服务器的信任列表</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="624"/>
        <source>Enrolling with the trust token…</source>
        <translation>正在用信任令牌注册…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="624"/>
        <source>Enrolling over SSH…</source>
        <translation>正在通过 SSH 注册…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="646"/>
        <source>The enrolment was cancelled.</source>
        <translation>注册已取消。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="653"/>
        <source>First contact with {address}. Compare this SHA-256 fingerprint with the server&apos;s (`incus info` or `lxc info`: certificate_fingerprint), then pin it:</source>
        <translation>首次连接 {address}。请将下面的 SHA-256 指纹与服务器上的指纹（`incus info` 或 `lxc info` 中的 certificate_fingerprint）核对，然后固定它：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="663"/>
        <source>The enrolment failed: {error}</source>
        <translation>注册失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="672"/>
        <source>with the trust token</source>
        <translation>使用信任令牌</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="673"/>
        <source>over SSH</source>
        <translation>通过 SSH</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="674"/>
        <source>it trusted this certificate already</source>
        <translation>它此前已信任此证书</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/node_editor.py" line="677"/>
        <source>Enrolled: {server} trusts this app ({how}). Save the node to keep it.</source>
        <translation>注册成功：{server} 已信任本程序（{how}）。请保存节点以保留此设置。</translation>
    </message>
</context>
<context>
    <name>NodeTreeModel</name>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="220"/>
        <source>All nodes</source>
        <translation>所有节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="226"/>
        <source>{healthy} of {total} nodes healthy</source>
        <translation>{total} 个节点中 {healthy} 个正常</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="234"/>
        <source>untagged</source>
        <translation>无标签</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="281"/>
        <source>The key or certificate of this node CHANGED. Click the badge to review it.</source>
        <translation>此节点的密钥或证书已发生变化！请点击状态标记进行核查。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="283"/>
        <source>Not trusted yet: click the badge to review its fingerprint.</source>
        <translation>尚未信任：请点击状态标记核对其指纹。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="286"/>
        <source>Health: checking…</source>
        <translation>健康状态：检查中…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="293"/>
        <source>checked at {time}</source>
        <translation>检查于 {time}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="297"/>
        <source>Last refresh failed: {error}</source>
        <translation>上次刷新失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="301"/>
        <source>SSH</source>
        <translation>SSH</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="301"/>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="301"/>
        <source>Service</source>
        <translation>服务</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="303"/>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="304"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="305"/>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/models/node_tree.py" line="316"/>
        <source>Health: {state}</source>
        <translation>健康状态：{state}</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="218"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="171"/>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="220"/>
        <source>Set password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="176"/>
        <source>Set a new password in {instance} on {node}. The user&apos;s current password stops working.</source>
        <translation>为 {node} 上的 {instance} 设置新密码。该用户当前的密码将失效。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="185"/>
        <source>&amp;User:</source>
        <translation>用户(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="187"/>
        <source>&amp;Generate a strong password (shown once, after it is set)</source>
        <translation>生成强密码（设置后只显示一次）(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="189"/>
        <source>T&amp;ype my own password</source>
        <translation>输入我自己的密码(&amp;Y)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="197"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="198"/>
        <source>&amp;Confirm:</source>
        <translation>确认(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="205"/>
        <source>Allow a reboot if the VM has no guest agent</source>
        <translation>如果虚拟机没有客户机代理，允许重启</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="209"/>
        <source>Without the QEMU guest agent the password is set through cloud-init, which applies it when the VM boots: the VM is rebooted. Unchecked, such a VM is left alone and you are told why.</source>
        <translation>没有 QEMU 客户机代理时，密码通过 cloud-init 设置，并在虚拟机启动时生效：虚拟机会被重启。不勾选时，不会改动此类虚拟机，并会告诉您原因。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="246"/>
        <source>Enter a valid user name (lower case letters, digits, _ . -)</source>
        <translation>请输入有效的用户名（小写字母、数字、_ . -）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="250"/>
        <source>Type the new password twice</source>
        <translation>请将新密码输入两次</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/password.py" line="252"/>
        <source>The two passwords differ</source>
        <translation>两次输入的密码不一致</translation>
    </message>
</context>
<context>
    <name>ResourceGraphs</name>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="38"/>
        <source>CPU:</source>
        <translation>CPU：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="39"/>
        <source>Memory:</source>
        <translation>内存：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="40"/>
        <source>Disk:</source>
        <translation>磁盘：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="41"/>
        <source>Load:</source>
        <translation>负载：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="48"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="49"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="50"/>
        <source>Disk (root filesystem)</source>
        <translation>磁盘（根文件系统）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="51"/>
        <source>Load (1 min average)</source>
        <translation>负载（1 分钟平均）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="76"/>
        <source>{cores} cores</source>
        <translation>{cores} 核</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="78"/>
        <source>{percent} % of {cores} cores</source>
        <translation>{cores} 核的 {percent} %</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="98"/>
        <source>{used} of {total} ({percent} %)</source>
        <translation>已用 {used} / 共 {total}（{percent} %）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/resource_graphs.py" line="190"/>
        <source>no data yet</source>
        <translation>暂无数据</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="246"/>
        <source>The configuration could not be read: {error}</source>
        <translation>无法读取配置：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="305"/>
        <source>Unexpected error (a bug, please report it): {kind}: {error}</source>
        <translation>意外错误（程序缺陷，请报告）：{kind}：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="420"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="431"/>
        <source>replaced by a newer refresh</source>
        <translation>已被更新的刷新取代</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ocv_desktop/services/session.py" line="449"/>
        <source>%n instance(s)</source>
        <translation>
            <numerusform>%n 个实例</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="506"/>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="507"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="508"/>
        <source>Restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="509"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="527"/>
        <location filename="../../ocv_desktop/services/session.py" line="539"/>
        <location filename="../../ocv_desktop/services/session.py" line="601"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="529"/>
        <location filename="../../ocv_desktop/services/session.py" line="792"/>
        <source>cancelled (the node may still finish it)</source>
        <translation>已取消（节点可能仍会完成该操作）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="557"/>
        <location filename="../../ocv_desktop/services/session.py" line="765"/>
        <source>deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="557"/>
        <source>gone</source>
        <translation>已不存在</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="558"/>
        <source>now {status}</source>
        <translation>现为{status}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="585"/>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="631"/>
        <source>Take snapshot</source>
        <translation>创建快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="632"/>
        <source>Restore snapshot</source>
        <translation>恢复快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="633"/>
        <source>Delete snapshot</source>
        <translation>删除快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="660"/>
        <source>snapshot {name} taken</source>
        <translation>已创建快照 {name}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="661"/>
        <source>restored to {name}</source>
        <translation>已恢复到 {name}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="662"/>
        <source>snapshot {name} deleted</source>
        <translation>已删除快照 {name}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="671"/>
        <source>Commit to image</source>
        <translation>提交为镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="679"/>
        <source>saved as {image}</source>
        <translation>已保存为 {image}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="688"/>
        <source>Load log</source>
        <translation>加载日志</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ocv_desktop/services/session.py" line="701"/>
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="711"/>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="720"/>
        <source>created, {status}</source>
        <translation>已创建，{status}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="743"/>
        <source>Pull image</source>
        <translation>拉取镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="751"/>
        <source>pulled</source>
        <translation>已拉取</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="757"/>
        <source>Delete image</source>
        <translation>删除镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="866"/>
        <source>Trust host key</source>
        <translation>信任主机密钥</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="866"/>
        <source>Trust certificate</source>
        <translation>信任证书</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="890"/>
        <source>Add node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="894"/>
        <source>Edit node</source>
        <translation>编辑节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="903"/>
        <source>Remove node</source>
        <translation>移除节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="912"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="925"/>
        <source>{added} added, {updated} updated, {errors} skipped</source>
        <translation>新增 {added} 个，更新 {updated} 个，跳过 {errors} 个</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="966"/>
        <source>The grouping could not be saved: {error}</source>
        <translation>无法保存分组方式：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="1042"/>
        <source>saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="1098"/>
        <source>cancelled before it started</source>
        <translation>在开始前已取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/services/session.py" line="606"/>
        <source>new password set for {user}</source>
        <translation>已为 {user} 设置新密码</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="51"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="73"/>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="85"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="74"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="75"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="80"/>
        <source>In a tab of this window</source>
        <translation>在本窗口的标签页中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="81"/>
        <source>In my terminal program</source>
        <translation>在我的终端程序中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="90"/>
        <source>The language changes when ocv-desktop starts next time.</source>
        <translation>语言将在下次启动 ocv-desktop 时更改。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="101"/>
        <source>Health check every:</source>
        <translation>健康检查间隔：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="102"/>
        <source>Health check time limit:</source>
        <translation>健康检查时限：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="103"/>
        <source>Nodes checked at once:</source>
        <translation>同时检查的节点数：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="104"/>
        <source>Connection time limit:</source>
        <translation>连接时限：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="105"/>
        <source>Command time limit:</source>
        <translation>命令时限：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="106"/>
        <source>Clear copied passwords after:</source>
        <translation>复制的密码清除时间：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="107"/>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="108"/>
        <source>Open terminals:</source>
        <translation>打开终端：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="109"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="112"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="114"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/settings.py" line="184"/>
        <source>The settings could not be saved: {error}</source>
        <translation>无法保存设置：{error}</translation>
    </message>
</context>
<context>
    <name>SnapshotsPanel</name>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="64"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="64"/>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="64"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="64"/>
        <source>Stateful</source>
        <translation>有状态</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="75"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="76"/>
        <source>Take snapshot…</source>
        <translation>创建快照…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="77"/>
        <source>Restore…</source>
        <translation>恢复…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="78"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="85"/>
        <source>Commit to image…</source>
        <translation>提交为镜像…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="86"/>
        <source>Save the container&apos;s filesystem as a new image (not a snapshot)</source>
        <translation>将容器的文件系统保存为新镜像（不是快照）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="148"/>
        <source>Docker has no snapshots. To keep a container&apos;s filesystem, commit it to an image (volumes are not included, and the container cannot be rolled back to it).</source>
        <translation>Docker 没有快照。要保留容器的文件系统，请将其提交为镜像（不包含数据卷，且容器无法回滚到该镜像）。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="151"/>
        <source>{platform} nodes have no snapshots.</source>
        <translation>{platform} 节点没有快照。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="218"/>
        <source>Listing the snapshots…</source>
        <translation>正在列出快照…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="226"/>
        <source>The snapshots could not be listed: {error}</source>
        <translation>无法列出快照：{error}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="232"/>
        <source>%n snapshot(s)</source>
        <translation>
            <numerusform>%n 个快照</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="238"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="238"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="263"/>
        <source>Taking snapshot {name}…</source>
        <translation>正在创建快照 {name}…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="267"/>
        <source>Snapshot {name} taken.</source>
        <translation>已创建快照 {name}。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="269"/>
        <source>The snapshot could not be taken</source>
        <translation>无法创建快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="280"/>
        <source>Restore snapshot</source>
        <translation>恢复快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="282"/>
        <source>Roll {instance} back to snapshot {snapshot}?

All changes made to {instance} since {snapshot} are lost.</source>
        <translation>将 {instance} 回滚到快照 {snapshot}？

自 {snapshot} 之后对 {instance} 所做的所有更改都将丢失。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="285"/>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="286"/>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="303"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="290"/>
        <source>Restoring {name}…</source>
        <translation>正在恢复 {name}…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="291"/>
        <source>Restored to {name}.</source>
        <translation>已恢复到 {name}。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="292"/>
        <source>The snapshot could not be restored</source>
        <translation>无法恢复快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="297"/>
        <source>Delete snapshot</source>
        <translation>删除快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="299"/>
        <source>Delete snapshot {snapshot} of {instance}?

The state it holds is lost: {instance} can no longer be rolled back to it.</source>
        <translation>删除 {instance} 的快照 {snapshot}？

它保存的状态将丢失：{instance} 将无法再回滚到该快照。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="302"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="307"/>
        <source>Deleting {name}…</source>
        <translation>正在删除 {name}…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="308"/>
        <source>Snapshot {name} deleted.</source>
        <translation>已删除快照 {name}。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="309"/>
        <source>The snapshot could not be deleted</source>
        <translation>无法删除快照</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="349"/>
        <source>Committing {name} to {image}…</source>
        <translation>正在将 {name} 提交为 {image}…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="354"/>
        <source>The container could not be committed: {error}</source>
        <translation>无法提交容器：{error}</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/snapshots_panel.py" line="357"/>
        <source>Saved as image {image}.</source>
        <translation>已保存为镜像 {image}。</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="180"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="181"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="182"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="183"/>
        <source>frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="184"/>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="185"/>
        <source>stopping</source>
        <translation>停止中</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="186"/>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="187"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="195"/>
        <source>healthy</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="196"/>
        <source>degraded</source>
        <translation>部分可用</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="197"/>
        <source>unhealthy</source>
        <translation>异常</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/theme.py" line="198"/>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
</context>
<context>
    <name>TerminalView</name>
    <message>
        <location filename="../../ocv_desktop/ui/console/terminal_view.py" line="68"/>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/console/terminal_view.py" line="432"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/console/terminal_view.py" line="435"/>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
</context>
<context>
    <name>TrustDialog</name>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="94"/>
        <source>SSH host key changed</source>
        <translation>SSH 主机密钥已变化</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="96"/>
        <source>WARNING: the SSH host key of {address} has changed!</source>
        <translation>警告：{address} 的 SSH 主机密钥已发生变化！</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="101"/>
        <source>The server presents a different host key from the one you trusted before, so ocv-desktop did not connect. Either the server was reinstalled or its keys were regenerated, or someone is intercepting the connection.</source>
        <translation>服务器出示的主机密钥与您之前信任的不同，因此 ocv-desktop 没有建立连接。可能是服务器重装了系统或重新生成了密钥，也可能有人正在拦截这个连接。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="107"/>
        <source>Trusted until now:</source>
        <translation>此前信任的指纹：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="109"/>
        <source>Presented now:</source>
        <translation>当前出示的指纹：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="112"/>
        <source>Unknown SSH host key</source>
        <translation>未知的 SSH 主机密钥</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="115"/>
        <source>First connection to {address}. Do you trust this server?</source>
        <translation>首次连接 {address}。您信任这台服务器吗？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="121"/>
        <source>ocv-desktop has not connected to this server before. Its SSH host key has this fingerprint:</source>
        <translation>ocv-desktop 以前从未连接过这台服务器。它的 SSH 主机密钥指纹如下：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="129"/>
        <source>To check it, run this on the server itself (at its console or through a connection you already trust) and compare the SHA256 fingerprint:</source>
        <translation>核对方法：在服务器本机上（通过控制台，或通过您已信任的连接）运行下面的命令，并比较 SHA256 指纹：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="138"/>
        <source>If the fingerprints differ, do not continue: the connection is not safe.</source>
        <translation>如果指纹不一致，请不要继续：此连接不安全。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="147"/>
        <source>API certificate changed</source>
        <translation>API 证书已变化</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="150"/>
        <source>WARNING: the API certificate of {address} has changed!</source>
        <translation>警告：{address} 的 API 证书已发生变化！</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="156"/>
        <source>The server presents a different TLS certificate from the one you pinned, so ocv-desktop did not connect. Either the server got a new certificate, or someone is intercepting the connection.</source>
        <translation>服务器出示的 TLS 证书与您固定的证书不同，因此 ocv-desktop 没有建立连接。可能是服务器换了新证书，也可能有人正在拦截这个连接。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="162"/>
        <source>Pinned until now (SHA-256):</source>
        <translation>此前固定的证书（SHA-256）：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="168"/>
        <source>Presented now (SHA-256):</source>
        <translation>当前出示的证书（SHA-256）：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="170"/>
        <source>Unknown API certificate</source>
        <translation>未知的 API 证书</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="173"/>
        <source>First connection to the API at {address}. Pin its certificate?</source>
        <translation>首次连接 {address} 上的 API。要固定它的证书吗？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="179"/>
        <source>No certificate authority known to this computer signed this server&apos;s certificate. LXD, Incus and Proxmox VE create such self-signed certificates themselves, so this is normal at the first connection. Pin it only if its SHA-256 fingerprint matches the one the server shows:</source>
        <translation>这台服务器的证书不是由本机已知的证书颁发机构签发的。LXD、Incus 和 Proxmox VE 会自行生成这种自签名证书，所以首次连接时出现这种情况是正常的。只有当它的 SHA-256 指纹与服务器上显示的一致时，才固定该证书：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="188"/>
        <source>The same, as incus info and lxc info print it:</source>
        <translation>同一指纹，按 incus info 和 lxc info 的输出格式：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="192"/>
        <source>To see the fingerprint on the server:</source>
        <translation>在服务器上查看指纹：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="207"/>
        <source>On Proxmox VE it is also shown in the web interface under the node, System, Certificates (use pveproxy-ssl.pem if you uploaded your own certificate).</source>
        <translation>在 Proxmox VE 的网页界面中也可以查看：节点 → 系统 → 证书（如果您上传过自己的证书，请改用 pveproxy-ssl.pem）。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="221"/>
        <source>Replace trusted key…</source>
        <translation>替换受信任的密钥…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="221"/>
        <source>Replace pinned certificate…</source>
        <translation>替换已固定的证书…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="225"/>
        <source>Trust and connect</source>
        <translation>信任并连接</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="225"/>
        <source>Pin certificate and connect</source>
        <translation>固定证书并连接</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="236"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="237"/>
        <source>Keep the old one</source>
        <translation>保留原来的</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="251"/>
        <source>Replace the trusted SSH host key?</source>
        <translation>替换受信任的 SSH 主机密钥？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="252"/>
        <source>Only continue if you checked on the server itself that its host key is now:

{fingerprint}

ocv-desktop will then trust this key instead of the old one for {address}.</source>
        <translation>只有在您已在服务器本机上确认其主机密钥现在是：

{fingerprint}

时才继续。之后 ocv-desktop 将对 {address} 信任此密钥，不再信任原来的密钥。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="269"/>
        <source>Replace the pinned API certificate?</source>
        <translation>替换已固定的 API 证书？</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/dialogs/trust.py" line="270"/>
        <source>Only continue if you checked on the server itself that its certificate&apos;s SHA-256 fingerprint is now:

{fingerprint}

ocv-desktop will then pin this certificate instead of the old one for {address}.</source>
        <translation>只有在您已在服务器本机上确认其证书的 SHA-256 指纹现在是：

{fingerprint}

时才继续。之后 ocv-desktop 将对 {address} 固定此证书，不再使用原来的证书。</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/welcome.py" line="39"/>
        <source>Welcome to ocv-desktop</source>
        <translation>欢迎使用 ocv-desktop</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/welcome.py" line="47"/>
        <source>Manage Docker, LXD, Incus and Proxmox VE servers from one window. Start by adding the first node:</source>
        <translation>在一个窗口中管理 Docker、LXD、Incus 和 Proxmox VE 服务器。先添加第一个节点：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/welcome.py" line="54"/>
        <source>Add a node…</source>
        <translation>添加节点…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/welcome.py" line="58"/>
        <source>Import a OneClickVirt provider file…</source>
        <translation>导入 OneClickVirt 节点配置文件…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/welcome.py" line="67"/>
        <source>Found on this computer:</source>
        <translation>在本机上发现：</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/widgets/welcome.py" line="98"/>
        <source>Add this computer ({platform})</source>
        <translation>添加本机（{platform}）</translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="86"/>
        <source>&amp;Start</source>
        <translation>启动(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="86"/>
        <source>Start the selected instances</source>
        <translation>启动选中的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="89"/>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="89"/>
        <source>Stop the selected instances</source>
        <translation>停止选中的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="92"/>
        <source>&amp;Restart</source>
        <translation>重启(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="92"/>
        <source>Restart the selected instances</source>
        <translation>重启选中的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="95"/>
        <source>&amp;Delete…</source>
        <translation>删除(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="96"/>
        <source>Delete the selected instances (asks first)</source>
        <translation>删除选中的实例（会先确认）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="99"/>
        <source>Reset &amp;password…</source>
        <translation>重置密码(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="100"/>
        <source>Set a new random root password in the selected instance</source>
        <translation>为选中的实例设置新的随机 root 密码</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="103"/>
        <source>Open &amp;terminal</source>
        <translation>打开终端(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="104"/>
        <source>Open a shell on the selected node, or inside the selected instance</source>
        <translation>在选中的节点上或选中的实例内打开 shell</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="107"/>
        <source>Open &amp;graphical console</source>
        <translation>打开图形控制台(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="108"/>
        <source>Show the selected virtual machine&apos;s screen in remote-viewer</source>
        <translation>在 remote-viewer 中显示所选虚拟机的屏幕</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="111"/>
        <source>&amp;Create instance…</source>
        <translation>创建实例(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="112"/>
        <source>Create a container or virtual machine on the selected node</source>
        <translation>在所选节点上创建容器或虚拟机</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="115"/>
        <source>&amp;Images…</source>
        <translation>镜像(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="116"/>
        <source>List, pull and delete the images of the selected node</source>
        <translation>列出、拉取和删除所选节点的镜像</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="120"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="121"/>
        <source>List the instances of the selected nodes again</source>
        <translation>重新列出选中节点的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="124"/>
        <source>Check &amp;health now</source>
        <translation>立即检查健康状态(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="125"/>
        <source>Check the selected nodes now instead of waiting for the next round</source>
        <translation>立即检查选中的节点，而不必等待下一轮检查</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="127"/>
        <source>&amp;Add node…</source>
        <translation>添加节点(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="127"/>
        <source>Add a node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="129"/>
        <source>&amp;Edit node…</source>
        <translation>编辑节点(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="129"/>
        <source>Change the selected node</source>
        <translation>修改选中的节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="132"/>
        <source>Re&amp;move node…</source>
        <translation>移除节点(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="132"/>
        <source>Remove the selected node from the list</source>
        <translation>从列表中移除选中的节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="135"/>
        <source>Node &amp;details…</source>
        <translation>节点详情(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="136"/>
        <source>CPU, memory, disk and load of the selected node over the last hours</source>
        <translation>所选节点最近几小时的 CPU、内存、磁盘和负载</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="139"/>
        <source>Review &amp;trust…</source>
        <translation>核查信任(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="140"/>
        <source>Show the host key or certificate this node presents and decide whether to trust it</source>
        <translation>显示此节点出示的主机密钥或证书，并决定是否信任</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="143"/>
        <source>&amp;Import OneClickVirt YAML…</source>
        <translation>导入 OneClickVirt YAML(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="144"/>
        <source>Import nodes from a OneClickVirt provider file</source>
        <translation>从 OneClickVirt 节点配置文件导入节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="148"/>
        <source>&amp;Find instances</source>
        <translation>查找实例(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="148"/>
        <source>Filter the table</source>
        <translation>筛选表格</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="151"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="152"/>
        <source>Health checks, time limits, theme, language</source>
        <translation>健康检查、时限、主题、语言</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="156"/>
        <source>&amp;About ocv-desktop</source>
        <translation>关于 ocv-desktop(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="156"/>
        <source>Version and folders</source>
        <translation>版本和文件夹</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="160"/>
        <source>Open &amp;log folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="160"/>
        <source>Show the log files</source>
        <translation>显示日志文件</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="162"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="162"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="163"/>
        <source>Group by &amp;platform</source>
        <translation>按平台分组(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="164"/>
        <source>Group by &amp;tag</source>
        <translation>按标签分组(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="222"/>
        <source>Add a node first</source>
        <translation>请先添加节点</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="72"/>
        <source>Setting a container&apos;s password on {node} needs SSH: the Proxmox API cannot run commands in containers. Edit the node and give it SSH access (execution Automatic or SSH only).</source>
        <translation>在 {node} 上设置容器密码需要 SSH：Proxmox API 无法在容器中执行命令。请编辑该节点，为其配置 SSH 访问（执行方式选“自动”或“仅 SSH”）。</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="203"/>
        <source>Select a stopped instance to start</source>
        <translation>请选择一个已停止的实例来启动</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="204"/>
        <source>Select a running instance to stop</source>
        <translation>请选择一个正在运行的实例来停止</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="205"/>
        <source>Select a running instance to restart</source>
        <translation>请选择一个正在运行的实例来重启</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="211"/>
        <source>Select the instances to delete</source>
        <translation>请选择要删除的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="231"/>
        <source>config.yaml did not load: fix it first (nothing can be saved to it)</source>
        <translation>config.yaml 未能加载：请先修正它（目前无法向其保存任何内容）</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="240"/>
        <source>{nodes} did not answer the last health check</source>
        <translation>{nodes} 未响应上一次健康检查</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="246"/>
        <source>Select one running instance</source>
        <translation>请选择一个正在运行的实例</translation>
    </message>
    <message>
        <location filename="../../ocv_desktop/ui/actions.py" line="255"/>
        <source>{instance} is not running: start it first</source>
        <translation>{instance} 未在运行：请先启动它</translation>
    </message>
</context>
</TS>
